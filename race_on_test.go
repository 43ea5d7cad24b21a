//go:build race

package ws

// raceEnabled: the race detector's sync.Pool drops a quarter of what is
// put in it, so pooled memory is made again: allocation counts mean
// nothing then.
const raceEnabled = true
