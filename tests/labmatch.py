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


def match(name, conns, flows):
    """Pair each manifest connection with finlint's next flow of the same
    4-tuple.  Return [(label, conn, flow or None)], labelled "NAME addr:port"
    by the client, and the flows no connection took."""
    by_tuple = index_flows(flows)
    pairs = []
    for conn in conns:
        key = tuple_of(conn)
        queue = by_tuple.get(key)
        pairs.append((f"{name} {key[0]}:{key[1]}", conn, queue.pop(0) if queue else None))
    return pairs, [f for queue in by_tuple.values() for f in queue]
