package client

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
)

// MaxImageSize is the largest picture SetConnectionImage may send, as the
// API documents it: the server refuses bigger ones.
const MaxImageSize = 256 << 10

// RenameConnection changes the name shown on a connection's messages and
// returns the connection; its webhook URLs stay as they are.
func (c *Client) RenameConnection(ctx context.Context, id, name string) (*Connection, error) {
	var conn Connection
	if err := c.do(ctx, http.MethodPatch, "/connections/"+url.PathEscape(id), nil, map[string]string{"name": name}, &conn); err != nil {
		return nil, err
	}
	return &conn, nil
}

func imagePath(id string) string { return "/connections/" + url.PathEscape(id) + "/image" }

// SetConnectionImage sets the picture shown as the author of a connection's
// messages: a PNG, JPEG or GIF of at most MaxImageSize bytes (the server
// refuses anything else as invalid). The connection's ImageURL then points
// to it.
func (c *Client) SetConnectionImage(ctx context.Context, id string, data []byte) error {
	// The server goes by the bytes, not the header; the header is for
	// whatever sits in between.
	typ := http.DetectContentType(data)
	return c.send(ctx, http.MethodPut, imagePath(id), nil, bytes.NewReader(data), typ, nil)
}

// DeleteConnectionImage removes a connection's picture.
func (c *Client) DeleteConnectionImage(ctx context.Context, id string) error {
	return c.do(ctx, http.MethodDelete, imagePath(id), nil, nil, nil)
}

// ConnectionImage returns a connection's picture and its media type, such
// as "image/png". A connection without one is not_found.
func (c *Client) ConnectionImage(ctx context.Context, id string) (data []byte, contentType string, err error) {
	req, err := c.newRequest(ctx, http.MethodGet, imagePath(id), nil, nil)
	if err != nil {
		return nil, "", err
	}
	resp, err := c.HTTPClient.Do(req)
	if err != nil {
		return nil, "", err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, "", readError(resp)
	}
	data, err = io.ReadAll(io.LimitReader(resp.Body, maxResponse))
	if err != nil {
		return nil, "", fmt.Errorf("client: GET %s: %w", req.URL.Path, err)
	}
	return data, resp.Header.Get("Content-Type"), nil
}
