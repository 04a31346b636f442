# Shared by scripts/e2e/install-binaries.sh and scripts/bench/build-kube-extender-client.sh (source it).
#
# k8s.io/kubernetes cannot be required as a plain module: its go.mod replaces every staging module (k8s.io/api,
# k8s.io/client-go, ...) with a local directory. A wrapper module builds against it by pinning each staging module
# to the matching v0.x release (k8s v1.35.4 -> v0.35.4).

# kube_go_env <cache root>: the Go settings every Tessera build uses (module and build caches under <cache root>).
kube_go_env() {
  export GOMODCACHE="$1/gomod"
  export GOCACHE="$1/gobuild"
  export GOMAXPROCS="${GOMAXPROCS:-2}"
  export CGO_ENABLED=0
  export GOTOOLCHAIN=local
  export GOFLAGS="-trimpath -buildvcs=false"
}

# kube_wrapper_gomod <module path> <k8s version, e.g. 1.35.4>: prints a go.mod requiring k8s.io/kubernetes with
# every staging module pinned.
kube_wrapper_gomod() {
  local module="$1" version="$2" staging="0.${2#1.}" m
  echo "module $module"
  echo
  echo "go 1.25.0"
  echo
  echo "require k8s.io/kubernetes v${version}"
  echo
  echo "replace ("
  for m in api apiextensions-apiserver apimachinery apiserver cli-runtime client-go cloud-provider \
    cluster-bootstrap code-generator component-base component-helpers controller-manager cri-api cri-client \
    csi-translation-lib dynamic-resource-allocation endpointslice externaljwt kms kube-aggregator \
    kube-controller-manager kube-proxy kube-scheduler kubectl kubelet metrics mount-utils \
    pod-security-admission sample-apiserver sample-cli-plugin sample-controller; do
    echo "	k8s.io/$m => k8s.io/$m v${staging}"
  done
  echo "	k8s.io/kubernetes => k8s.io/kubernetes v${version}"
  echo ")"
}
