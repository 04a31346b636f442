// Writes the corpus that src/model/quantity-kubernetes.test.ts checks Tessera's parseQuantity against: 20,000
// strings (hand-picked edge cases, then random ones over the quantity alphabet, seed 42) judged by Kubernetes'
// own resource.ParseQuantity, with MilliValue() where the value is small. Reuses the e2e Go module cache:
//
//	cd scripts/quantity-corpus && GOMODCACHE=~/.cache/tessera/e2e/gomod GOPROXY=off GOFLAGS=-mod=mod \
//	  go run . > ../../src/model/testdata/k8s-parse-quantity.json
package main

import (
	"encoding/json"
	"fmt"
	"math/rand"
	"os"

	"k8s.io/apimachinery/pkg/api/resource"
)

type entry struct {
	S     string `json:"s"`
	OK    bool   `json:"ok"`
	Milli *int64 `json:"milli,omitempty"`
}

func main() {
	fixed := []string{"", " 1", "1 ", "+1", "-1", "+", "-", ".", "+.", "1.", ".5", "k", "Ki", "m", "e", "E", "1e", "1E", "1e3", "1E3", "1e+3", "1e-3", "1E-1", "1ee3", "1.2.3", "0x10", "1KB", "10GB", "1Ki", "1.5Gi", "1.Gi", "1i", "1K", "1n", "1u", "500m", "2k", "16Gi", "40G", "15E-1", "+7", "--1", "+-1", "1+", "1-", "1e+", "1Ki3", "1.5e3", "007", "0", "00", "0.0", "1,5", "１", "\t1", "1\n"}
	r := rand.New(rand.NewSource(42))
	alphabet := []byte("0123456789.+-eEinumkKMGTP i")
	seen := map[string]bool{}
	out := []entry{}
	add := func(s string) {
		if seen[s] {
			return
		}
		seen[s] = true
		q, err := resource.ParseQuantity(s)
		e := entry{S: s, OK: err == nil}
		if err == nil {
			if v, ok := q.AsInt64(); ok && v < 1e12 && v > -1e12 {
				m := q.MilliValue()
				e.Milli = &m
			} else if q.Cmp(resource.MustParse("1e12")) < 0 && q.Cmp(resource.MustParse("-1e12")) > 0 {
				m := q.MilliValue()
				e.Milli = &m
			}
		}
		out = append(out, e)
	}
	for _, s := range fixed {
		add(s)
	}
	for len(out) < 20000 {
		n := r.Intn(7)
		b := make([]byte, n)
		for i := range b {
			// digits twice as likely, so numbers come up often
			if r.Intn(2) == 0 {
				b[i] = byte('0' + r.Intn(10))
			} else {
				b[i] = alphabet[r.Intn(len(alphabet))]
			}
		}
		add(string(b))
	}
	enc := json.NewEncoder(os.Stdout)
	fmt.Fprintln(os.Stderr, len(out))
	if err := enc.Encode(out); err != nil {
		panic(err)
	}
}
