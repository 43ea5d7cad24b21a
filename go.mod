module github.com/hackney-go/ws

go 1.25.0

require (
	github.com/klauspost/compress v1.20.4
	go.uber.org/goleak v1.3.0
	golang.org/x/term v0.45.0
)

require golang.org/x/sys v0.47.0

require golang.org/x/net v0.58.0
