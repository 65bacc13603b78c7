// Package widget holds the built front end of jds: the customer-journey widget
// (dist/customer-journey.js) and the admin console (dist/console/), embedded in the
// binary. The sources live beside this file; `npm run build` regenerates dist/.
package widget

import "embed"

// Dist is the built front end: dist/customer-journey.js and dist/console/.
//
//go:embed dist
var Dist embed.FS
