package live

import (
	"testing"

	"github.com/heraldhq/herald"
)

func TestPublishReachesOnlyTheChannel(t *testing.T) {
	h := NewHub()
	a, b := h.Subscribe("a"), h.Subscribe("b")
	defer a.Close()
	defer b.Close()
	h.Publish(&herald.Message{ChannelID: "a", Seq: 1})
	if m := <-a.C; m.Seq != 1 {
		t.Fatalf("got %+v", m)
	}
	select {
	case m := <-b.C:
		t.Fatalf("channel b got %+v", m)
	default:
	}
}

func TestSlowSubscriberIsDroppedNotWaitedFor(t *testing.T) {
	h := NewHub()
	slow, fast := h.Subscribe("c"), h.Subscribe("c")
	defer fast.Close()
	for i := range Buffer + 1 {
		h.Publish(&herald.Message{ChannelID: "c", Seq: int64(i + 1)})
		<-fast.C // the fast one keeps up
	}
	n := 0
	for range slow.C {
		n++
	}
	if n != Buffer || !slow.Lagged() {
		t.Fatalf("slow subscriber got %d messages then lagged=%v; want %d and true", n, slow.Lagged(), Buffer)
	}
	if fast.Lagged() || h.Subscribers("c") != 1 {
		t.Fatalf("fast subscriber affected: lagged=%v, subscribers=%d", fast.Lagged(), h.Subscribers("c"))
	}
	slow.Close() // closing a dropped subscription is harmless
}

func TestCloseUnsubscribes(t *testing.T) {
	h := NewHub()
	s := h.Subscribe("x")
	s.Close()
	s.Close()
	if _, ok := <-s.C; ok {
		t.Fatal("channel open after Close")
	}
	if h.Subscribers("x") != 0 {
		t.Fatal("subscription kept")
	}
	h.Publish(&herald.Message{ChannelID: "x"}) // no subscriber: no panic
}
