"""The quickest way over a park's roads, computed apart from the server, for
tests/tests/resources_http.rs: shapely nodes the roads where they cross (unary_union), networkx
finds the quickest path (Dijkstra). The same model as the server's, written again: a road's end
within 5 m of another road joins its nearest point; a point comes onto the nearest stretch of
road; a stretch touching the area to keep out of is left out unless there is no other way;
speeds are the road's speed_kmh, or 60 km/h on a highway, 40 on an avenue, 30 elsewhere.

Reads a JSON request on stdin: {"roads": FeatureCollection, "avoid": [polygon rings, WGS84] or
null, "origin": [lon, lat], "trips": [[[lon, lat], [lon, lat]], ...]}; writes a JSON list with
each trip's {"distance_m", "time_s", "through"} (null where no way exists).
"""

import json
import math
import sys

import networkx as nx
from shapely.geometry import LineString, Point, Polygon
from shapely.ops import nearest_points, unary_union

A = 6378137.0
E2 = 6.69437999014e-3


def projector(lon0, lat0):
    """Metres east and north of the origin on its tangent plane, to well under a millimetre
    over a park: the ellipsoid's radii of curvature at the origin."""
    phi = math.radians(lat0)
    w = math.sqrt(1 - E2 * math.sin(phi) ** 2)
    n_radius = A / w
    m_radius = A * (1 - E2) / w**3
    return lambda lon, lat: (
        math.radians(lon - lon0) * n_radius * math.cos(phi),
        math.radians(lat - lat0) * m_radius,
    )


def speed_kmh(props):
    if props.get("speed_kmh") is not None:
        return float(props["speed_kmh"])
    return {"highway": 60.0, "avenue": 40.0}.get(props.get("kind"), 30.0)


def main():
    req = json.load(sys.stdin)
    to_m = projector(*req["origin"])
    roads = []
    for f in req["roads"]["features"]:
        g = f["geometry"]
        lines = [g["coordinates"]] if g["type"] == "LineString" else g["coordinates"]
        for line in lines:
            roads.append((LineString([to_m(*c) for c in line]), speed_kmh(f["properties"])))
    pieces = [line for line, _ in roads]
    speeds = list(roads)
    for i, (line, speed) in enumerate(roads):
        for end in (Point(line.coords[0]), Point(line.coords[-1])):
            others = [(other.distance(end), other) for j, (other, _) in enumerate(roads) if j != i]
            d, other = min(others, key=lambda x: x[0])
            if 0 < d <= 5.0:
                join = LineString([end, nearest_points(other, end)[0]])
                pieces.append(join)
                speeds.append((join, speed))
    noded = unary_union(pieces)
    avoid = None
    if req["avoid"]:
        avoid = unary_union([Polygon([to_m(*c) for c in ring[0]], [[to_m(*c) for c in h] for h in ring[1:]]) for ring in req["avoid"]])

    graph = nx.Graph()
    key = lambda p: (round(p[0], 2), round(p[1], 2))
    for piece in noded.geoms:
        mid = piece.interpolate(0.5, normalized=True)
        speed = min(speeds, key=lambda s: s[0].distance(mid))[1]
        for a, b in zip(piece.coords, piece.coords[1:]):
            seg = LineString([a, b])
            graph.add_edge(key(a), key(b), length=seg.length, time=seg.length / (speed / 3.6), seg=seg, speed=speed)

    def onto(p):
        """The nearest point of the nearest stretch, and the stretch."""
        u, v, data = min(graph.edges(data=True), key=lambda e: e[2]["seg"].distance(p))
        return nearest_points(data["seg"], p)[0], u, v, data["speed"]

    out = []
    for start_ll, end_ll in req["trips"]:
        g = graph.copy()
        legs = 0.0
        leg_time = 0.0
        ends = []
        for name, ll in (("START", start_ll), ("END", end_ll)):
            p = Point(to_m(*ll))
            q, u, v, speed = onto(p)
            legs += p.distance(q)
            leg_time += p.distance(q) / (speed / 3.6)
            for x in (u, v):
                seg = LineString([(q.x, q.y), x])
                g.add_edge(name, x, length=seg.length, time=seg.length / (speed / 3.6), seg=seg, speed=speed)
            ends.append((u, v, q, speed))
        (su, sv, sq, sspeed), (eu, ev, eq, _) = ends
        if {su, sv} == {eu, ev}:
            seg = LineString([(sq.x, sq.y), (eq.x, eq.y)])
            g.add_edge("START", "END", length=seg.length, time=seg.length / (sspeed / 3.6), seg=seg, speed=sspeed)
        clear = g
        if avoid is not None:
            clear = g.edge_subgraph([(a, b) for a, b, d in g.edges(data=True) if not d["seg"].intersects(avoid)])
        through = False
        try:
            path = nx.dijkstra_path(clear, "START", "END", weight="time")
        except (nx.NetworkXNoPath, nx.NodeNotFound):
            try:
                path = nx.dijkstra_path(g, "START", "END", weight="time")
                through = avoid is not None
            except nx.NetworkXNoPath:
                out.append(None)
                continue
            clear = g
        edges = [clear.edges[a, b] for a, b in zip(path, path[1:])]
        out.append({
            "distance_m": sum(e["length"] for e in edges) + legs,
            "time_s": sum(e["time"] for e in edges) + leg_time,
            "through": through,
        })
    json.dump(out, sys.stdout)


main()
