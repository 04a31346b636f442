// Command kube-extender-client calls a scheduler extender through kube-scheduler's own extender client: the
// HTTPExtender that k8s.io/kubernetes/pkg/scheduler builds from a KubeSchedulerConfiguration `extenders` entry
// (scheduler.NewHTTPExtender, the version pinned by the generated go.mod). bench/extender-latency.ts
// (`--client go`) and test/bench/kube-extender-client.test.ts drive it; scripts/bench/build-kube-extender-client.sh
// builds it.
//
// Usage: kube-extender-client [-cpuprofile FILE]
//
// Protocol: JSON values on stdin, one JSON line answered on stdout per value.
//
//	{"type":"init","config":"<KubeSchedulerConfiguration YAML>","urlPrefix":"http://127.0.0.1:8888/scheduler",
//	 "nodeCacheCapable":true,"nodes":[<v1.Node>...]}
//	  -> {"type":"ready","nodes":750,"urlPrefix":"...","nodeCacheCapable":true,"weight":20,"httpTimeoutNs":1e10}
//	{"type":"pair","pod":<v1.Pod>}
//	  -> {"type":"pair","elapsedNs":1234567,"filterNs":...,"prioritizeNs":...,"feasible":740,"prioritized":true,
//	      "host":"l4-12","bindError":"","error":""}
//
// The config is decoded, defaulted and validated as kube-scheduler loads its --config file; the first extender
// entry is used with urlPrefix (and nodeCacheCapable, when given) overridden, because the server's port is only
// known at run time. A pair does what kube-scheduler's schedulePod does for one pod with this one extender:
// IsInterested, Filter with every node as a NodeInfo, and when more than one node survives, Prioritize with the
// survivors in a goroutine the caller waits for (prioritizeNodes runs each extender that way). The pair is timed
// with Go's monotonic clock. The bind that follows is not timed: the host is the best extender score x weight
// (first of the best in filter order; kube-scheduler breaks ties at random), bound through the extender's Bind as
// extendersBinding does.
package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/pprof"
	"sync"
	"time"

	v1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	extenderv1 "k8s.io/kube-scheduler/extender/v1"
	fwk "k8s.io/kube-scheduler/framework"
	"k8s.io/kubernetes/pkg/scheduler"
	schedulerapi "k8s.io/kubernetes/pkg/scheduler/apis/config"
	"k8s.io/kubernetes/pkg/scheduler/apis/config/scheme"
	"k8s.io/kubernetes/pkg/scheduler/apis/config/validation"
	"k8s.io/kubernetes/pkg/scheduler/framework"
)

// command is one request from the driver.
type command struct {
	Type             string          `json:"type"`
	Config           string          `json:"config"`
	URLPrefix        string          `json:"urlPrefix"`
	NodeCacheCapable *bool           `json:"nodeCacheCapable"`
	Nodes            []v1.Node       `json:"nodes"`
	Pod              json.RawMessage `json:"pod"`
}

// ready answers init.
type ready struct {
	Type             string `json:"type"`
	Nodes            int    `json:"nodes"`
	URLPrefix        string `json:"urlPrefix"`
	NodeCacheCapable bool   `json:"nodeCacheCapable"`
	Weight           int64  `json:"weight"`
	HTTPTimeoutNs    int64  `json:"httpTimeoutNs"`
}

// pairResult answers pair; Error is set when the pod was not scheduled (not interested, filter failed, nothing
// feasible), BindError when the bind was refused.
type pairResult struct {
	Type         string `json:"type"`
	ElapsedNs    int64  `json:"elapsedNs"`
	FilterNs     int64  `json:"filterNs"`
	PrioritizeNs int64  `json:"prioritizeNs"`
	Feasible     int    `json:"feasible"`
	Prioritized  bool   `json:"prioritized"`
	Host         string `json:"host"`
	BindError    string `json:"bindError"`
	Error        string `json:"error"`
}

// fault answers a command that could not be carried out at all (bad input); the driver treats it as fatal.
type fault struct {
	Type  string `json:"type"`
	Error string `json:"error"`
}

// client holds the extender and the node list after init.
type client struct {
	extender fwk.Extender
	weight   int64
	nodes    []fwk.NodeInfo
}

// extenderFromConfig decodes a KubeSchedulerConfiguration as kube-scheduler loads its --config (conversion to the
// internal type and defaults), validates it, and returns its first extender entry.
func extenderFromConfig(text string) (schedulerapi.Extender, error) {
	obj, gvk, err := scheme.Codecs.UniversalDecoder().Decode([]byte(text), nil, nil)
	if err != nil {
		return schedulerapi.Extender{}, fmt.Errorf("cannot decode the scheduler configuration: %w", err)
	}
	cfg, ok := obj.(*schedulerapi.KubeSchedulerConfiguration)
	if !ok {
		return schedulerapi.Extender{}, fmt.Errorf("cannot use the scheduler configuration: got %v, want KubeSchedulerConfiguration", gvk)
	}
	if err := validation.ValidateKubeSchedulerConfiguration(cfg); err != nil {
		return schedulerapi.Extender{}, fmt.Errorf("cannot use the scheduler configuration: %w", err)
	}
	if len(cfg.Extenders) == 0 {
		return schedulerapi.Extender{}, errors.New("cannot use the scheduler configuration: it has no extenders")
	}
	return cfg.Extenders[0], nil
}

func (c *client) init(cmd *command) (*ready, error) {
	ext, err := extenderFromConfig(cmd.Config)
	if err != nil {
		return nil, err
	}
	if cmd.URLPrefix != "" {
		ext.URLPrefix = cmd.URLPrefix
	}
	if cmd.NodeCacheCapable != nil {
		ext.NodeCacheCapable = *cmd.NodeCacheCapable
	}
	extender, err := scheduler.NewHTTPExtender(&ext)
	if err != nil {
		return nil, fmt.Errorf("cannot create the extender client for %q: %w", ext.URLPrefix, err)
	}
	c.extender = extender
	c.weight = ext.Weight
	c.nodes = make([]fwk.NodeInfo, len(cmd.Nodes))
	for i := range cmd.Nodes {
		ni := framework.NewNodeInfo()
		ni.SetNode(&cmd.Nodes[i])
		c.nodes[i] = ni
	}
	return &ready{
		Type: "ready", Nodes: len(c.nodes), URLPrefix: ext.URLPrefix, NodeCacheCapable: ext.NodeCacheCapable,
		Weight: ext.Weight, HTTPTimeoutNs: ext.HTTPTimeout.Duration.Nanoseconds(),
	}, nil
}

func (c *client) pair(raw json.RawMessage) (*pairResult, error) {
	if c.extender == nil {
		return nil, errors.New("cannot run a pair: no init yet")
	}
	pod := &v1.Pod{}
	if err := json.Unmarshal(raw, pod); err != nil {
		return nil, fmt.Errorf("cannot decode the pod: %w", err)
	}
	r := &pairResult{Type: "pair"}
	ext := c.extender
	if !ext.IsInterested(pod) {
		r.Error = fmt.Sprintf("extender %q is not interested in pod %q: it requests none of the managed resources", ext.Name(), pod.Namespace+"/"+pod.Name)
		return r, nil
	}

	start := time.Now()
	feasible, _, _, err := ext.Filter(pod, c.nodes)
	filtered := time.Now()
	var scores *extenderv1.HostPriorityList
	var weight int64
	var perr error
	// schedulePod returns the only feasible node without scoring; otherwise prioritizeNodes runs the extender in a
	// goroutine and waits for it.
	if err == nil && len(feasible) > 1 {
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			scores, weight, perr = ext.Prioritize(pod, feasible)
		}()
		wg.Wait()
		r.Prioritized = true
	}
	end := time.Now()
	r.ElapsedNs = end.Sub(start).Nanoseconds()
	r.FilterNs = filtered.Sub(start).Nanoseconds()
	r.PrioritizeNs = end.Sub(filtered).Nanoseconds()
	r.Feasible = len(feasible)
	if err != nil {
		r.Error = fmt.Sprintf("filter failed: %v", err)
		return r, nil
	}
	if len(feasible) == 0 {
		r.Error = "no feasible node"
		return r, nil
	}
	if perr != nil {
		// kube-scheduler ignores a failed prioritize (no extender score); the pair is still reported as failed.
		r.Error = fmt.Sprintf("prioritize failed: %v", perr)
		return r, nil
	}

	r.Host = c.bestHost(feasible, scores, weight)
	if ext.IsBinder() {
		berr := ext.Bind(&v1.Binding{
			ObjectMeta: metav1.ObjectMeta{Namespace: pod.Namespace, Name: pod.Name, UID: pod.UID},
			Target:     v1.ObjectReference{Kind: "Node", Name: r.Host},
		})
		if berr != nil {
			r.BindError = berr.Error()
		}
	}
	return r, nil
}

// bestHost picks the feasible node with the highest extender score scaled as prioritizeNodes scales it, the first
// in filter order among equals.
func (c *client) bestHost(feasible []fwk.NodeInfo, scores *extenderv1.HostPriorityList, weight int64) string {
	byName := map[string]int64{}
	if scores != nil {
		for _, hp := range *scores {
			byName[hp.Host] += hp.Score * weight * (fwk.MaxNodeScore / extenderv1.MaxExtenderPriority)
		}
	}
	best, bestScore := "", int64(-1)
	for _, n := range feasible {
		if s := byName[n.Node().Name]; s > bestScore {
			best, bestScore = n.Node().Name, s
		}
	}
	return best
}

func main() {
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of the whole run (init included) to this file")
	flag.Parse()
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err == nil {
			err = pprof.StartCPUProfile(f)
		}
		if err != nil {
			fmt.Fprintf(os.Stderr, "kube-extender-client: cannot write a CPU profile to %q: %v\n", *cpuProfile, err)
			os.Exit(2)
		}
		defer pprof.StopCPUProfile()
	}
	in := json.NewDecoder(bufio.NewReaderSize(os.Stdin, 1<<20))
	w := bufio.NewWriter(os.Stdout)
	out := json.NewEncoder(w)
	reply := func(v any) {
		if err := out.Encode(v); err != nil {
			fmt.Fprintf(os.Stderr, "kube-extender-client: cannot write a reply: %v\n", err)
			os.Exit(1)
		}
		if err := w.Flush(); err != nil {
			fmt.Fprintf(os.Stderr, "kube-extender-client: cannot write a reply: %v\n", err)
			os.Exit(1)
		}
	}
	c := &client{}
	for {
		var cmd command
		if err := in.Decode(&cmd); err != nil {
			if errors.Is(err, io.EOF) {
				return
			}
			reply(fault{Type: "fault", Error: fmt.Sprintf("cannot decode a command: %v", err)})
			pprof.StopCPUProfile()
			os.Exit(1)
		}
		var (
			answer any
			err    error
		)
		switch cmd.Type {
		case "init":
			answer, err = c.init(&cmd)
		case "pair":
			answer, err = c.pair(cmd.Pod)
		default:
			err = fmt.Errorf("unknown command type %q: want init or pair", cmd.Type)
		}
		if err != nil {
			reply(fault{Type: "fault", Error: err.Error()})
			continue
		}
		reply(answer)
	}
}
