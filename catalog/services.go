package catalog

import (
	"github.com/heraldhq/herald"
)

// services are the third-party connectors Herald translates.
var services = []*Entry{}

var _ = herald.KindPush
