package deflate

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
)

// jsonDoc returns n bytes of JSON like an API's: an array of records with
// ids, names, addresses, flags, scores and tags.
func jsonDoc(r *rand.Rand, n int) []byte {
	type record struct {
		ID      int      `json:"id"`
		Name    string   `json:"name"`
		Email   string   `json:"email"`
		Active  bool     `json:"active"`
		Score   float64  `json:"score"`
		Created string   `json:"created_at"`
		Tags    []string `json:"tags"`
	}
	tags := []string{"admin", "beta", "customer", "trial", "support", "eu", "us"}
	b := []byte{'['}
	for len(b) < n {
		rec := record{
			ID:      r.IntN(1000000),
			Name:    fmt.Sprintf("user-%d", r.IntN(5000)),
			Email:   fmt.Sprintf("user%d@example.com", r.IntN(5000)),
			Active:  r.IntN(2) == 0,
			Score:   float64(r.IntN(100000)) / 100,
			Created: fmt.Sprintf("2024-%02d-%02dT%02d:%02d:00Z", 1+r.IntN(12), 1+r.IntN(28), r.IntN(24), r.IntN(60)),
			Tags:    tags[:r.IntN(len(tags))],
		}
		if len(b) > 1 {
			b = append(b, ',')
		}
		e, _ := json.Marshal(rec)
		b = append(b, e...)
	}
	return b[:n]
}
