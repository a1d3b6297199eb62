package ratelimit

import (
	"context"
	"testing"
	"time"
)

func TestMemoryTeamsWindows(t *testing.T) {
	m := NewMemory(Teams)
	ctx := context.Background()
	t0 := time.Unix(1_800_000_000, 0) // divisible by every window length
	for i := range 4 {
		if wait, _ := m.Allow(ctx, "a", t0.Add(time.Duration(i)*100*time.Millisecond)); wait != 0 {
			t.Fatalf("request %d refused (wait %v)", i, wait)
		}
	}
	if wait, _ := m.Allow(ctx, "a", t0.Add(900*time.Millisecond)); wait != time.Second {
		t.Fatalf("5th request in one second: wait %v, want 1s (rounded up)", wait)
	}
	if wait, _ := m.Allow(ctx, "b", t0); wait != 0 {
		t.Fatalf("other key throttled: %v", wait)
	}
	// 60 per 30 s: 4 per second for 15 seconds fills it.
	allowed := 4 // from the first second
	for s := 1; s < 30; s++ {
		for range 4 {
			if wait, _ := m.Allow(ctx, "a", t0.Add(time.Duration(s)*time.Second)); wait == 0 {
				allowed++
			}
		}
	}
	if allowed != 60 {
		t.Fatalf("allowed %d in 30 s, want 60", allowed)
	}
	if wait, _ := m.Allow(ctx, "a", t0.Add(29*time.Second)); wait != time.Second {
		t.Fatalf("at 29 s: wait %v, want 1s", wait)
	}
	// After 30 s the 30 s window resets, but the hourly one (100) is at 60.
	for range 40 {
		now := t0.Add(30 * time.Second)
		for {
			wait, _ := m.Allow(ctx, "a", now)
			if wait == 0 {
				break
			}
			now = now.Add(wait)
		}
	}
	now := t0.Add(time.Hour - time.Minute)
	if wait, _ := m.Allow(ctx, "a", now); wait != time.Minute {
		t.Fatalf("hourly window full: wait %v, want 1m", wait)
	}
}

func TestRefusedRequestsAreNotCounted(t *testing.T) {
	m := NewMemory([]Window{{time.Second, 2}, {time.Minute, 3}})
	ctx := context.Background()
	t0 := time.Unix(1_800_000_000, 0)
	m.Allow(ctx, "k", t0)
	m.Allow(ctx, "k", t0)
	for range 10 {
		if wait, _ := m.Allow(ctx, "k", t0); wait == 0 {
			t.Fatal("over the 1 s limit but allowed")
		}
	}
	if wait, _ := m.Allow(ctx, "k", t0.Add(time.Second)); wait != 0 {
		t.Fatalf("refused posts were counted against the minute window: wait %v", wait)
	}
}

func TestSweepForgetsIdleKeys(t *testing.T) {
	m := NewMemory([]Window{{time.Second, 1}, {time.Minute, 10}})
	ctx := context.Background()
	t0 := time.Unix(1_800_000_000, 0)
	m.Allow(ctx, "old", t0)
	m.Allow(ctx, "new", t0.Add(2*time.Minute))
	if _, ok := m.keys["old"]; ok {
		t.Fatal("a key idle for longer than every window was kept")
	}
	if _, ok := m.keys["new"]; !ok {
		t.Fatal("an active key was dropped")
	}
}

func TestParse(t *testing.T) {
	ws, err := Parse("4/1s, 60/30s,1800/24h")
	if err != nil || len(ws) != 3 || ws[1] != (Window{30 * time.Second, 60}) || ws[2].Length != 24*time.Hour {
		t.Fatalf("Parse = %v, %v", ws, err)
	}
	for _, bad := range []string{"", "4", "x/1s", "0/1s", "4/500ms", "4/1.5s", "4/abc"} {
		if _, err := Parse(bad); err == nil {
			t.Errorf("Parse(%q) accepted", bad)
		}
	}
}
