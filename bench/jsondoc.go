package main

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
)

// record is one element of the JSON document the compressed workloads
// send: the shape of a typical API response, repetitive in its keys and
// in part of its values, varied in ids, numbers and times, so that it
// compresses as real traffic does rather than as a repeated string.
type record struct {
	ID        int       `json:"id"`
	UUID      string    `json:"uuid"`
	Name      string    `json:"name"`
	Email     string    `json:"email"`
	CreatedAt time.Time `json:"created_at"`
	Active    bool      `json:"active"`
	Score     float64   `json:"score"`
	Tags      []string  `json:"tags"`
	Address   address   `json:"address"`
	Orders    []order   `json:"orders"`
}

type address struct {
	Street  string `json:"street"`
	City    string `json:"city"`
	Zip     string `json:"zip"`
	Country string `json:"country"`
}

type order struct {
	SKU      string  `json:"sku"`
	Quantity int     `json:"qty"`
	Price    float64 `json:"price"`
	Status   string  `json:"status"`
}

var (
	firstNames = []string{"Alice", "Bruno", "Chloé", "Dmitri", "Emma", "Farid", "Greta", "Hiro", "Inès", "Jonas", "Kaito", "Lena", "Mateo", "Noor", "Olga", "Pavel"}
	lastNames  = []string{"Moreau", "Schmidt", "Rossi", "Nakamura", "García", "Nowak", "Johansson", "Okafor", "Dubois", "Kowalski", "Silva", "Müller"}
	cities     = []struct{ city, country string }{{"Paris", "FR"}, {"Berlin", "DE"}, {"Milano", "IT"}, {"Osaka", "JP"}, {"Madrid", "ES"}, {"Kraków", "PL"}, {"Lagos", "NG"}, {"Porto", "PT"}}
	streets    = []string{"Rue de la Paix", "Hauptstraße", "Via Roma", "Calle Mayor", "Main Street", "Rua Augusta"}
	tags       = []string{"admin", "beta", "premium", "trial", "support", "newsletter", "mobile", "api"}
	statuses   = []string{"pending", "paid", "shipped", "delivered", "refunded"}
	words      = strings.Fields("the order was shipped to the customer after payment and the invoice sent by email with tracking details for the parcel")
)

// jsonDocuments returns count JSON arrays of records of exactly size
// bytes each, the same for every call, like the pages of an API listing:
// the ids run on from page to page. The space left after the last whole
// record of a page is filled by a record holding only an id and a note of
// words, or, when too small for one, by spaces before the closing
// bracket.
func jsonDocuments(size, count int) [][]byte {
	rng := rand.New(rand.NewPCG(6, 7692))
	start := time.Date(2024, 3, 1, 9, 0, 0, 0, time.UTC)
	docs := make([][]byte, count)
	id := 1
	for i := range docs {
		doc := []byte{'['}
		for ; ; id++ {
			b, err := json.Marshal(newRecord(rng, id, start))
			if err != nil {
				panic(err) // a record always marshals
			}
			if len(doc)+len(b)+2 > size { // a comma before it, the bracket after
				docs[i] = closeDocument(rng, doc, id, size)
				id++
				break
			}
			if len(doc) > 1 {
				doc = append(doc, ',')
			}
			doc = append(doc, b...)
		}
	}
	return docs
}

func newRecord(rng *rand.Rand, id int, start time.Time) record {
	first, last := firstNames[rng.IntN(len(firstNames))], lastNames[rng.IntN(len(lastNames))]
	c := cities[rng.IntN(len(cities))]
	r := record{
		ID:        id,
		UUID:      fmt.Sprintf("%08x-%04x-4%03x-%04x-%012x", rng.Uint32(), rng.IntN(1<<16), rng.IntN(1<<12), 0x8000|rng.IntN(1<<14), rng.Int64N(1<<48)),
		Name:      first + " " + last,
		Email:     strings.ToLower(first+"."+last) + "@example.com",
		CreatedAt: start.Add(time.Duration(rng.Int64N(int64(90 * 24 * time.Hour)))).Truncate(time.Second),
		Active:    rng.IntN(4) != 0,
		Score:     float64(rng.IntN(10000)) / 100,
		Address:   address{fmt.Sprintf("%d %s", 1+rng.IntN(200), streets[rng.IntN(len(streets))]), c.city, fmt.Sprintf("%05d", rng.IntN(100000)), c.country},
	}
	for range 1 + rng.IntN(3) {
		r.Tags = append(r.Tags, tags[rng.IntN(len(tags))])
	}
	for range 1 + rng.IntN(3) {
		r.Orders = append(r.Orders, order{fmt.Sprintf("SKU-%04d", rng.IntN(10000)), 1 + rng.IntN(5), float64(100+rng.IntN(20000)) / 100, statuses[rng.IntN(len(statuses))]})
	}
	return r
}

func closeDocument(rng *rand.Rand, doc []byte, id, size int) []byte {
	prefix := fmt.Sprintf(`{"id":%d,"note":"`, id)
	if len(doc) > 1 {
		prefix = "," + prefix
	}
	if room := size - len(doc) - len(prefix) - len(`"}]`); room >= 0 {
		var note []byte
		for len(note) < room {
			note = append(append(note, words[rng.IntN(len(words))]...), ' ')
		}
		doc = append(append(append(doc, prefix...), note[:room]...), `"}`...)
	}
	for len(doc) < size-1 {
		doc = append(doc, ' ')
	}
	return append(doc, ']')
}
