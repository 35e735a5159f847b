//! Travel over the park's roads: the roads layer made into a graph (petgraph), noded where
//! roads cross or one ends on another, and the quickest route from a point to a point by
//! A* over it, keeping out of an area (an incident's most severe zone) where another way exists.
//!
//! Coordinates are metres east and north in a local frame (`parktwin_api::frame::LocalFrame`)
//! chosen by the caller, so that an incident's zones, drawn in metres around its source, are in
//! the same plane as the roads.

use std::collections::HashMap;

use geo::line_intersection::{LineIntersection, line_intersection};
use geo::{Closest, ClosestPoint, Contains, Coord, Distance, Euclidean, Intersects, Line, MultiPolygon, Point};
use petgraph::graph::{NodeIndex, UnGraph};
use petgraph::visit::{EdgeFiltered, EdgeRef};

/// A road's end closer than this (metres) to another road meets it (surveyed lines end a
/// little short of, or past, the road they join).
pub const SNAP_M: f64 = 5.0;

/// A road as the graph takes it: its line (metres) and the speed travelled on it.
#[derive(Debug, Clone, PartialEq)]
pub struct Road {
    /// Its name (for the route's description).
    pub name: String,
    /// Its vertices, metres.
    pub line: Vec<[f64; 2]>,
    /// Travel speed on it, km/h.
    pub speed_kmh: f64,
}

/// A segment of a road as it is cut: the road's index, its two ends, and where it is cut
/// (fractions along it).
type Segment = (usize, [f64; 2], [f64; 2], Vec<f64>);

/// One stretch of road between two nodes.
#[derive(Debug, Clone, PartialEq)]
struct Stretch {
    length_m: f64,
    speed_ms: f64,
}

/// The road network.
#[derive(Debug, Clone)]
pub struct RoadGraph {
    graph: UnGraph<[f64; 2], Stretch>,
}

/// A route found.
#[derive(Debug, Clone, PartialEq)]
pub struct Route {
    /// Along the roads (and the short ways onto and off them), metres.
    pub distance_m: f64,
    /// At each road's speed, seconds.
    pub time_s: f64,
    /// The way, metres, from the start to the end.
    pub path: Vec<[f64; 2]>,
    /// Whether it runs through the area it was asked to keep out of (there was no other way).
    pub through_avoided: bool,
}

fn dist(a: [f64; 2], b: [f64; 2]) -> f64 {
    Euclidean.distance(Point::new(a[0], a[1]), Point::new(b[0], b[1]))
}

fn coord(p: [f64; 2]) -> Coord {
    Coord { x: p[0], y: p[1] }
}

impl RoadGraph {
    /// The graph of `roads`: every crossing of two roads is a node of both, and a road ending
    /// within [`SNAP_M`] of another is joined to it.
    pub fn new(roads: &[Road]) -> Self {
        // Every segment, with the road it belongs to and the points (as fractions along it)
        // where it is cut.
        let mut segments: Vec<Segment> = roads
            .iter()
            .enumerate()
            .flat_map(|(r, road)| road.line.windows(2).map(move |w| (r, w[0], w[1], vec![0.0, 1.0])))
            .collect();
        let fraction = |a: [f64; 2], b: [f64; 2], p: Coord| {
            let len = dist(a, b);
            if len == 0.0 { 0.0 } else { dist(a, [p.x, p.y]) / len }
        };
        for i in 0..segments.len() {
            for j in i + 1..segments.len() {
                let (a, b) = (segments[i].1, segments[i].2);
                let (c, d) = (segments[j].1, segments[j].2);
                let crossing = line_intersection(Line::new(coord(a), coord(b)), Line::new(coord(c), coord(d)));
                if let Some(LineIntersection::SinglePoint { intersection: p, .. }) = crossing {
                    segments[i].3.push(fraction(a, b, p));
                    segments[j].3.push(fraction(c, d, p));
                }
            }
        }
        // Road ends near another road: the nearest point of that road is a node, joined to the end.
        let mut joins = Vec::new();
        for (r, road) in roads.iter().enumerate() {
            for end in [road.line.first(), road.line.last()].into_iter().flatten() {
                let nearest = segments
                    .iter_mut()
                    .filter(|s| s.0 != r)
                    .filter_map(|s| {
                        let (Closest::SinglePoint(q) | Closest::Intersection(q)) =
                            Line::new(coord(s.1), coord(s.2)).closest_point(&Point::new(end[0], end[1]))
                        else {
                            return None;
                        };
                        let d = dist(*end, [q.x(), q.y()]);
                        (d <= SNAP_M).then_some((d, q, s))
                    })
                    .min_by(|x, y| x.0.total_cmp(&y.0));
                if let Some((_, q, s)) = nearest {
                    let f = fraction(s.1, s.2, q.0);
                    s.3.push(f);
                    joins.push((*end, [q.x(), q.y()], roads[r].speed_kmh));
                }
            }
        }
        let mut graph = UnGraph::new_undirected();
        let mut nodes: HashMap<(i64, i64), NodeIndex> = HashMap::new();
        // Points within a centimetre are one node.
        let mut node = |graph: &mut UnGraph<[f64; 2], Stretch>, p: [f64; 2]| {
            *nodes
                .entry(((p[0] * 100.0).round() as i64, (p[1] * 100.0).round() as i64))
                .or_insert_with(|| graph.add_node(p))
        };
        let join = |graph: &mut UnGraph<[f64; 2], Stretch>, u: NodeIndex, v: NodeIndex, speed_kmh: f64| {
            let length_m = dist(graph[u], graph[v]);
            if u != v {
                graph.add_edge(
                    u,
                    v,
                    Stretch {
                        length_m,
                        speed_ms: speed_kmh / 3.6,
                    },
                );
            }
        };
        for (r, a, b, mut cuts) in segments {
            cuts.sort_by(f64::total_cmp);
            cuts.dedup_by(|x, y| (*x - *y).abs() < 1e-9);
            let at = |t: f64| [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t];
            for w in cuts.windows(2) {
                let (u, v) = (node(&mut graph, at(w[0])), node(&mut graph, at(w[1])));
                join(&mut graph, u, v, roads[r].speed_kmh);
            }
        }
        for (end, q, speed) in joins {
            let (u, v) = (node(&mut graph, end), node(&mut graph, q));
            join(&mut graph, u, v, speed);
        }
        RoadGraph { graph }
    }

    /// Nodes and stretches.
    pub fn size(&self) -> (usize, usize) {
        (self.graph.node_count(), self.graph.edge_count())
    }

    /// The road node nearest `p` (as the crow flies) that is outside `area`: where a route
    /// stops short of an area it should not enter.
    pub fn nearest_outside(&self, p: [f64; 2], area: &MultiPolygon) -> Option<[f64; 2]> {
        self.graph
            .node_weights()
            .filter(|q| !area.contains(&Point::new(q[0], q[1])))
            .min_by(|a, b| dist(p, **a).total_cmp(&dist(p, **b)))
            .copied()
    }

    /// Where `p` comes onto the roads: the nearest point of the nearest stretch, and that
    /// stretch's two ends.
    fn onto(&self, p: [f64; 2]) -> Option<([f64; 2], NodeIndex, NodeIndex, f64)> {
        self.graph
            .edge_references()
            .filter_map(|e| {
                let (u, v) = (e.source(), e.target());
                let line = Line::new(coord(self.graph[u]), coord(self.graph[v]));
                let q = match line.closest_point(&Point::new(p[0], p[1])) {
                    Closest::SinglePoint(q) | Closest::Intersection(q) => q,
                    Closest::Indeterminate => return None,
                };
                Some(([q.x(), q.y()], u, v, e.weight().speed_ms))
            })
            .min_by(|a, b| dist(p, a.0).total_cmp(&dist(p, b.0)))
    }

    /// The quickest route from `from` to `to` (metres), keeping out of `avoid` where another way
    /// exists; `None` when the roads do not join them. The ways onto and off the roads (from the
    /// point straight to the nearest point of a road) count at that road's speed.
    pub fn route(&self, from: [f64; 2], to: [f64; 2], avoid: Option<&MultiPolygon>) -> Option<Route> {
        let (start, su, sv, s_speed) = self.onto(from)?;
        let (end, eu, ev, e_speed) = self.onto(to)?;
        // The graph with the two points on it: each joined to the ends of its stretch.
        let mut g = self.graph.clone();
        let add = |g: &mut UnGraph<[f64; 2], Stretch>, at: [f64; 2], ends: [NodeIndex; 2], speed_ms: f64| {
            let n = g.add_node(at);
            for x in ends {
                let length_m = dist(at, g[x]);
                g.add_edge(n, x, Stretch { length_m, speed_ms });
            }
            n
        };
        let a = add(&mut g, start, [su, sv], s_speed);
        let b = add(&mut g, end, [eu, ev], e_speed);
        // The two points on one stretch: they are joined along it as well.
        if [su, sv] == [eu, ev] || [su, sv] == [ev, eu] {
            g.add_edge(
                a,
                b,
                Stretch {
                    length_m: dist(start, end),
                    speed_ms: s_speed,
                },
            );
        }
        let inside = |e: petgraph::graph::EdgeReference<'_, Stretch>| {
            avoid.is_some_and(|area| Line::new(coord(g[e.source()]), coord(g[e.target()])).intersects(area))
        };
        let heuristic = |n: NodeIndex| dist(g[n], end) / MAX_SPEED_MS;
        let quickest = |through: bool| {
            let graph = EdgeFiltered::from_fn(&g, |e| through || !inside(e));
            petgraph::algo::astar(
                &graph,
                a,
                |n| n == b,
                |e| e.weight().length_m / e.weight().speed_ms,
                heuristic,
            )
        };
        let (through_avoided, (_, nodes)) = match quickest(false) {
            Some(found) => (false, found),
            None => (avoid.is_some(), quickest(true)?),
        };
        let mut path = vec![from];
        path.extend(nodes.iter().map(|n| g[*n]));
        path.push(to);
        path.dedup();
        let legs = nodes.windows(2).map(|w| {
            let e = g.find_edge(w[0], w[1]).map(|e| g[e].clone());
            e.unwrap_or(Stretch {
                length_m: 0.0,
                speed_ms: 1.0,
            })
        });
        let (mut distance_m, mut time_s) =
            legs.fold((0.0, 0.0), |(d, t), s| (d + s.length_m, t + s.length_m / s.speed_ms));
        // The ways onto and off the roads.
        for (p, q, speed) in [(from, start, s_speed), (to, end, e_speed)] {
            distance_m += dist(p, q);
            time_s += dist(p, q) / speed;
        }
        Some(Route {
            distance_m,
            time_s,
            path,
            through_avoided,
        })
    }
}

/// The fastest any road is travelled, m/s (A*'s heuristic must not overestimate: 120 km/h).
const MAX_SPEED_MS: f64 = 120.0 / 3.6;

#[cfg(test)]
mod tests {
    use super::*;
    use geo::polygon;

    fn road(name: &str, line: &[[f64; 2]], speed_kmh: f64) -> Road {
        Road {
            name: name.into(),
            line: line.to_vec(),
            speed_kmh,
        }
    }

    /// A square of roads 1 km a side with a cross street through the middle that ends 3 m short
    /// of the east side.
    fn square() -> Vec<Road> {
        vec![
            road(
                "ring",
                &[[0.0, 0.0], [1000.0, 0.0], [1000.0, 1000.0], [0.0, 1000.0], [0.0, 0.0]],
                36.0,
            ),
            road("cross", &[[-20.0, 500.0], [997.0, 500.0]], 36.0),
        ]
    }

    #[test]
    fn crossings_and_near_ends_are_nodes() {
        let g = RoadGraph::new(&square());
        // The ring's 5 corners (first and last one node) + the crossing at x = 0 and the join
        // at x = 1000, the cross street's two ends (one past the ring, one 3 m short).
        let (nodes, edges) = g.size();
        assert_eq!(nodes, 4 + 2 + 2, "{:?}", g.graph);
        // The ring cut into 6 stretches, the cross street into 2 (−20→0, 0→997), the join.
        assert_eq!(edges, 6 + 2 + 1);
    }

    #[test]
    fn the_quickest_way_and_the_way_round_an_area() {
        let g = RoadGraph::new(&square());
        // From the middle of the west side to the middle of the east side: along the cross street
        // (1000 m at 10 m/s: 100 s), not round the ring (2000 m).
        let r = g.route([0.0, 500.0], [1000.0, 500.0], None).expect("a route");
        assert!((r.distance_m - 1000.0).abs() < 1e-6, "{r:?}");
        assert!((r.time_s - 100.0).abs() < 1e-6);
        assert!(!r.through_avoided);
        // An area over the cross street's middle: round by the north side (500 + 1000 + 500 m).
        let area = MultiPolygon::new(vec![
            polygon![(x: 400.0, y: 450.0), (x: 600.0, y: 450.0), (x: 600.0, y: 550.0), (x: 400.0, y: 550.0)],
        ]);
        let r = g.route([0.0, 500.0], [1000.0, 500.0], Some(&area)).expect("a route");
        assert!((r.distance_m - 2000.0).abs() < 1e-6, "{r:?}");
        assert!(!r.through_avoided);
        assert!(
            r.path.iter().all(|p| p[1] == 500.0 || p[1] == 1000.0 || p[1] == 0.0),
            "{:?}",
            r.path
        );
        // An area over the whole square: no way round, so through it, and said so.
        let all = MultiPolygon::new(vec![
            polygon![(x: -50.0, y: -50.0), (x: 1050.0, y: -50.0), (x: 1050.0, y: 1050.0), (x: -50.0, y: 1050.0)],
        ]);
        let r = g.route([0.0, 500.0], [1000.0, 500.0], Some(&all)).expect("a route");
        assert!(r.through_avoided && (r.distance_m - 1000.0).abs() < 1e-6, "{r:?}");
        // Where to stop short of the area over the middle, coming for its centre: the nearest
        // node outside it, the cross street's east end (497 m; the west crossing is 500 m).
        assert_eq!(g.nearest_outside([500.0, 500.0], &area), Some([997.0, 500.0]));
    }

    #[test]
    fn points_off_the_road_come_on_at_the_nearest_point() {
        let g = RoadGraph::new(&square());
        // 30 m south of the south side at x = 200, to 40 m north of the north side at x = 200:
        // 30 + 200 (to the corner) + 1000 + 200 + 40, or via the cross street... the west side
        // either way: 30 + 200 + 1000 + 200 + 40 = 1470 m.
        let r = g.route([200.0, -30.0], [200.0, 1040.0], None).expect("a route");
        assert!((r.distance_m - 1470.0).abs() < 1e-6, "{r:?}");
        assert_eq!(r.path.first(), Some(&[200.0, -30.0]));
        assert_eq!(r.path.last(), Some(&[200.0, 1040.0]));
    }
}
