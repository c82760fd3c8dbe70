// A module to attach a cluster to.
module {
}
