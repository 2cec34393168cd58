"""Shared by the tests that compare finlint with capture manifests: index
finlint's flows by their (client, server) 4-tuple, in order of first
packet, so that a reused 4-tuple's connections match the manifest's in the
order they appeared."""


def tuple_of(rec):
    """The (client addr, client port, server addr, server port) of a flow
    or of a manifest connection."""
    return (rec["client"]["addr"], rec["client"]["port"],
            rec["server"]["addr"], rec["server"]["port"])


def index_flows(flows):
    """Map each 4-tuple to its flows, oldest first; pop(0) takes the next."""
    by_tuple = {}
    for f in sorted(flows, key=lambda f: f["first_packet"]):
        by_tuple.setdefault(tuple_of(f), []).append(f)
    return by_tuple
