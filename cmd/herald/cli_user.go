package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/heraldhq/herald/client"
)

// UserCmd is `herald user`.
type UserCmd struct {
	List   UserListCmd   `cmd:"" help:"List the organization's users."`
	Create UserCreateCmd `cmd:"" help:"Create a user (organization admins). Without a password, the user works with API tokens only."`
	Delete UserDeleteCmd `cmd:"" aliases:"rm" help:"Delete a user with their API tokens and team memberships (organization admins)."`
}

// UserListCmd is `herald user list`.
type UserListCmd struct{}

// Run lists the users.
func (c *UserListCmd) Run(e *cliEnv) error {
	cl, err := e.client()
	if err != nil {
		return err
	}
	ctx, cancel := e.call()
	defer cancel()
	list, err := cl.Users(ctx)
	if err != nil {
		return err
	}
	if e.flags.JSON {
		return e.printJSON(map[string]any{"users": nonNil(list)})
	}
	return printUsers(e, list)
}

func printUsers(e *cliEnv, list []client.User) error {
	w := e.table()
	fmt.Fprintln(w, "ID\tNAME\tEMAIL\tORG ADMIN\tCREATED")
	for _, u := range list {
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", cell(u.ID, 0), cell(u.Name, 40), cell(u.Email, 60), yesNo(u.OrgAdmin), when(u.CreatedAt))
	}
	return w.Flush()
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// UserCreateCmd is `herald user create --name N [--email E]
// [--password-stdin] [--org-admin]`. A password is never a flag value: flag
// values end up in shell histories and process lists.
type UserCreateCmd struct {
	Name          string `name:"name" required:"" placeholder:"NAME" help:"The user's name (at most 100 characters)."`
	Email         string `name:"email" placeholder:"EMAIL" help:"Email to sign in with; needed with --password-stdin."`
	PasswordStdin bool   `name:"password-stdin" help:"Read the user's password from standard input (one trailing newline is dropped), e.g. printf '%s\\n' \"$PASSWORD\" | herald user create ... --password-stdin. At least 10 characters."`
	OrgAdmin      bool   `name:"org-admin" help:"Make the user an organization admin: they may change the organization's switches, users and any team."`
}

// maxPasswordInput bounds what --password-stdin reads; the server takes
// passwords of up to 1 KB.
const maxPasswordInput = 64 << 10

// Run creates the user.
func (c *UserCreateCmd) Run(e *cliEnv) error {
	in := client.UserCreation{Name: c.Name, Email: c.Email, OrgAdmin: c.OrgAdmin}
	if c.PasswordStdin {
		if strings.TrimSpace(c.Email) == "" {
			return errors.New("--password-stdin needs --email: a user signs in with their email and password")
		}
		pw, err := readPassword(e)
		if err != nil {
			return err
		}
		in.Password = pw
	}
	cl, err := e.client()
	if err != nil {
		return err
	}
	ctx, cancel := e.call()
	defer cancel()
	u, err := cl.CreateUser(ctx, in)
	if err != nil {
		return err
	}
	if e.flags.JSON {
		return e.printJSON(u)
	}
	if err := printUsers(e, []client.User{*u}); err != nil {
		return err
	}
	if in.Password == "" {
		fmt.Fprintf(e.stdout, "\nThe user has no password; give them an API token with 'herald token create NAME --user %s'.\n", cell(u.ID, 0))
	}
	return nil
}

// readPassword reads --password-stdin's password: all of the input, less
// one trailing newline ("\n" or "\r\n"). It never echoes it.
func readPassword(e *cliEnv) (string, error) {
	if f, ok := e.stdin.(*os.File); ok {
		if fi, err := f.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
			fmt.Fprintln(e.stderr, "Type the password, then Enter and Ctrl-D. It shows as you type; pipe it in where others can see your screen.")
		}
	}
	b, err := io.ReadAll(io.LimitReader(e.stdin, maxPasswordInput+1))
	if err != nil {
		return "", fmt.Errorf("--password-stdin: reading standard input: %w", err)
	}
	if len(b) > maxPasswordInput {
		return "", errors.New("--password-stdin: standard input is over 64 KB; pipe in the password alone")
	}
	pw := string(b)
	if p, ok := strings.CutSuffix(pw, "\n"); ok {
		pw = strings.TrimSuffix(p, "\r")
	}
	if pw == "" {
		return "", errors.New("--password-stdin: standard input is empty; pipe the password in")
	}
	return pw, nil
}

// UserDeleteCmd is `herald user delete ID`.
type UserDeleteCmd struct {
	ID string `arg:"" help:"User id ('herald user list' shows them)."`
}

// Run deletes the user.
func (c *UserDeleteCmd) Run(e *cliEnv) error {
	cl, err := e.client()
	if err != nil {
		return err
	}
	ctx, cancel := e.call()
	defer cancel()
	if err := cl.DeleteUser(ctx, c.ID); err != nil {
		return err
	}
	if e.flags.JSON {
		// The API answers 204 with no body; say what happened in JSON.
		return e.printJSON(map[string]any{"id": c.ID, "deleted": true})
	}
	fmt.Fprintf(e.stdout, "Deleted user %s; their API tokens no longer work. The connections they made keep working.\n", clean(c.ID))
	return nil
}

// TokenCmd is `herald token`.
type TokenCmd struct {
	Create TokenCreateCmd `cmd:"" help:"Create an API token and print it, once."`
	List   TokenListCmd   `cmd:"" help:"List your API tokens, or a user's (organization admins)."`
	Revoke TokenRevokeCmd `cmd:"" aliases:"rm" help:"Revoke an API token: requests with it answer 401 from then on."`
}

// TokenCreateCmd is `herald token create NAME [--user ID]`.
type TokenCreateCmd struct {
	Name string `arg:"" help:"What the token is for, e.g. the machine or script that uses it (at most 100 characters)."`
	User string `name:"user" placeholder:"ID" help:"User to create the token for (organization admins); default: you."`
}

// Run creates the token and prints it.
func (c *TokenCreateCmd) Run(e *cliEnv) error {
	cl, err := e.client()
	if err != nil {
		return err
	}
	ctx, cancel := e.call()
	defer cancel()
	t, err := cl.CreateToken(ctx, c.Name, c.User)
	if err != nil {
		return err
	}
	if e.flags.JSON {
		return e.printJSON(t)
	}
	fmt.Fprintf(e.stdout, "Created API token %q (id %s) for user %s:\n\n  %s\n\n", clean(t.Name), cell(t.ID, 0), cell(t.UserID, 0), clean(t.Secret))
	fmt.Fprintf(e.stdout, "Copy it now: it cannot be shown again. Anyone who has it acts as that user; 'herald token revoke %s' disables it.\n", cell(t.ID, 0))
	return nil
}

// TokenListCmd is `herald token list [--user ID]`.
type TokenListCmd struct {
	User string `name:"user" placeholder:"ID" help:"User whose tokens to list (organization admins); default: you."`
}

// Run lists the tokens.
func (c *TokenListCmd) Run(e *cliEnv) error {
	cl, err := e.client()
	if err != nil {
		return err
	}
	ctx, cancel := e.call()
	defer cancel()
	list, err := cl.Tokens(ctx, c.User)
	if err != nil {
		return err
	}
	if e.flags.JSON {
		return e.printJSON(map[string]any{"tokens": nonNil(list)})
	}
	if len(list) == 0 {
		fmt.Fprintln(e.stdout, "No API tokens; create one with 'herald token create NAME'.")
		return nil
	}
	w := e.table()
	fmt.Fprintln(w, "ID\tNAME\tUSER\tCREATED")
	for _, t := range list {
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", cell(t.ID, 0), cell(t.Name, 40), cell(t.UserID, 0), when(t.CreatedAt))
	}
	return w.Flush()
}

// TokenRevokeCmd is `herald token revoke ID`.
type TokenRevokeCmd struct {
	ID string `arg:"" help:"Token id ('herald token list' shows them; not the token itself)."`
}

// Run revokes the token.
func (c *TokenRevokeCmd) Run(e *cliEnv) error {
	if strings.HasPrefix(c.ID, "hrd_") {
		// Sent in a URL, the secret would end up in access logs.
		return errors.New("that is the token itself, not its id; 'herald token list' shows the ids")
	}
	cl, err := e.client()
	if err != nil {
		return err
	}
	ctx, cancel := e.call()
	defer cancel()
	if err := cl.DeleteToken(ctx, c.ID); err != nil {
		return err
	}
	if e.flags.JSON {
		// The API answers 204 with no body; say what happened in JSON.
		return e.printJSON(map[string]any{"id": c.ID, "revoked": true})
	}
	fmt.Fprintf(e.stdout, "Revoked API token %s; requests with it now answer 401.\n", clean(c.ID))
	return nil
}
