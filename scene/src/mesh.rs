//! Plain mesh builders: GeoJSON-ish shapes in local metres to triangles and lines.
//!
//! Everything here is in the scene frame: x = east, y = up, z = −north (Bevy is Y-up and
//! right-handed). Inputs are `[east, north]` pairs in metres.

/// Triangles or line segments.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Topology {
    /// Every three indices make a counter-clockwise (front-facing) triangle.
    Triangles,
    /// Every two indices make a segment.
    Lines,
}

/// A mesh as plain data, ready to be handed to the GPU.
#[derive(Debug, Clone, PartialEq)]
pub struct MeshData {
    /// Triangles or lines.
    pub topology: Topology,
    /// Vertex positions.
    pub positions: Vec<[f32; 3]>,
    /// Vertex normals (unit length).
    pub normals: Vec<[f32; 3]>,
    /// Indices into the vertices.
    pub indices: Vec<u32>,
}

impl MeshData {
    /// A flat quad (corners in order around it) facing `n`, as two triangles wound to face it.
    fn quad(&mut self, corners: [bevy::math::Vec3; 4], n: bevy::math::Vec3) {
        let v = corners.map(|p| self.vertex(p.to_array(), n.to_array()));
        let face = (corners[1] - corners[0]).cross(corners[2] - corners[0]);
        if face.dot(n) >= 0.0 {
            self.indices.extend([v[0], v[1], v[2], v[0], v[2], v[3]]);
        } else {
            self.indices.extend([v[0], v[2], v[1], v[0], v[3], v[2]]);
        }
    }

    pub(crate) fn new(topology: Topology) -> Self {
        Self {
            topology,
            positions: Vec::new(),
            normals: Vec::new(),
            indices: Vec::new(),
        }
    }

    /// Adds another mesh of the same topology to this one (one draw for many pieces).
    pub fn append(&mut self, other: &MeshData) {
        debug_assert_eq!(self.topology, other.topology);
        let base = self.positions.len() as u32;
        self.positions.extend_from_slice(&other.positions);
        self.normals.extend_from_slice(&other.normals);
        self.indices.extend(other.indices.iter().map(|i| i + base));
    }

    fn vertex(&mut self, p: [f32; 3], n: [f32; 3]) -> u32 {
        self.positions.push(p);
        self.normals.push(n);
        (self.positions.len() - 1) as u32
    }

    /// Total area of the triangles whose normal points up (the roofs / top faces), m².
    pub fn up_facing_area(&self) -> f64 {
        self.triangles()
            .filter(|(_, n)| n[1] > 0.99)
            .map(|(t, _)| tri_area(t))
            .sum()
    }

    /// Total area of the triangles whose normal is horizontal (the walls), m².
    pub fn wall_area(&self) -> f64 {
        self.triangles()
            .filter(|(_, n)| n[1].abs() < 0.01)
            .map(|(t, _)| tri_area(t))
            .sum()
    }

    /// Each triangle's corners and the normal of its first vertex.
    pub fn triangles(&self) -> impl Iterator<Item = ([[f32; 3]; 3], [f32; 3])> + '_ {
        self.indices.chunks_exact(3).map(|c| {
            let p = |i: u32| self.positions[i as usize];
            ([p(c[0]), p(c[1]), p(c[2])], self.normals[c[0] as usize])
        })
    }

    /// The axis-aligned bounds `(min, max)` of the vertices.
    pub fn bounds(&self) -> ([f32; 3], [f32; 3]) {
        let mut lo = [f32::MAX; 3];
        let mut hi = [f32::MIN; 3];
        for p in &self.positions {
            for k in 0..3 {
                lo[k] = lo[k].min(p[k]);
                hi[k] = hi[k].max(p[k]);
            }
        }
        (lo, hi)
    }
}

fn tri_area(t: [[f32; 3]; 3]) -> f64 {
    let a = [t[1][0] - t[0][0], t[1][1] - t[0][1], t[1][2] - t[0][2]].map(f64::from);
    let b = [t[2][0] - t[0][0], t[2][1] - t[0][1], t[2][2] - t[0][2]].map(f64::from);
    let c = [
        a[1] * b[2] - a[2] * b[1],
        a[2] * b[0] - a[0] * b[2],
        a[0] * b[1] - a[1] * b[0],
    ];
    0.5 * (c[0] * c[0] + c[1] * c[1] + c[2] * c[2]).sqrt()
}

/// Scene position of a map point at height `y`: the one place where the park's local frame
/// (east, north, metres) becomes the scene's (x east, y up, z south).
pub fn to_scene(p: [f64; 2], y: f32) -> [f32; 3] {
    [p[0] as f32, y, -(p[1] as f32)]
}

/// [`to_scene`] as a Bevy vector.
///
/// ```
/// use bevy::math::Vec3;
/// use parktwin_scene::mesh::{scene_point, map_point};
/// assert_eq!(scene_point([100.0, 250.0], 4.0), Vec3::new(100.0, 4.0, -250.0));
/// assert_eq!(map_point(Vec3::new(100.0, 4.0, -250.0)), [100.0, 250.0]);
/// ```
pub fn scene_point(p: [f64; 2], y: f32) -> bevy::math::Vec3 {
    bevy::math::Vec3::from_array(to_scene(p, y))
}

/// The map point (east, north, metres) under a scene position: [`to_scene`]'s inverse.
pub fn map_point(v: bevy::math::Vec3) -> [f64; 2] {
    [f64::from(v.x), -f64::from(v.z)]
}

/// Signed area of a ring in the east/north plane (positive: counter-clockwise).
pub fn signed_area(ring: &[[f64; 2]]) -> f64 {
    ring.windows(2)
        .map(|w| w[0][0] * w[1][1] - w[1][0] * w[0][1])
        .sum::<f64>()
        / 2.0
}

/// A ring without its closing point, wound counter-clockwise (`ccw`) or clockwise.
fn open_ring(ring: &[[f64; 2]], ccw: bool) -> Vec<[f64; 2]> {
    let mut r: Vec<[f64; 2]> = ring.to_vec();
    if r.len() > 1 && r.first() == r.last() {
        r.pop();
    }
    let area: f64 = (0..r.len())
        .map(|i| {
            let (a, b) = (r[i], r[(i + 1) % r.len()]);
            a[0] * b[1] - b[0] * a[1]
        })
        .sum();
    if (area > 0.0) != ccw {
        r.reverse();
    }
    r
}

/// A flat polygon (exterior ring first, then holes) at height `y`, facing up.
///
/// ```
/// use parktwin_scene::mesh::flat_polygon;
/// let square = vec![[0.0, 0.0], [10.0, 0.0], [10.0, 10.0], [0.0, 10.0], [0.0, 0.0]];
/// let m = flat_polygon(&[square], 0.0);
/// assert!((m.up_facing_area() - 100.0).abs() < 1e-6);
/// ```
pub fn flat_polygon(rings: &[Vec<[f64; 2]>], y: f32) -> MeshData {
    let mut m = MeshData::new(Topology::Triangles);
    let Some(outer) = rings.first() else { return m };
    let mut flat: Vec<f64> = Vec::new();
    let mut holes = Vec::new();
    let mut pts: Vec<[f64; 2]> = Vec::new();
    for (i, ring) in rings.iter().enumerate() {
        let r = open_ring(if i == 0 { outer } else { ring }, i == 0);
        if i > 0 {
            holes.push(pts.len());
        }
        for p in r {
            flat.extend_from_slice(&p);
            pts.push(p);
        }
    }
    let Ok(tris) = earcutr::earcut(&flat, &holes, 2) else {
        return m;
    };
    for p in &pts {
        m.vertex(to_scene(*p, y), [0.0, 1.0, 0.0]);
    }
    for t in tris.chunks_exact(3) {
        let (a, b, c) = (pts[t[0]], pts[t[1]], pts[t[2]]);
        let ccw = (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0]) > 0.0;
        if ccw {
            m.indices.extend([t[0] as u32, t[1] as u32, t[2] as u32]);
        } else {
            m.indices.extend([t[0] as u32, t[2] as u32, t[1] as u32]);
        }
    }
    m
}

/// A prism: the polygon raised from `base` to `top`, with a roof and outward-facing walls.
///
/// ```
/// use parktwin_scene::mesh::extrude;
/// let square = vec![[0.0, 0.0], [10.0, 0.0], [10.0, 10.0], [0.0, 10.0], [0.0, 0.0]];
/// let m = extrude(&[square], 0.0, 5.0);
/// assert!((m.up_facing_area() - 100.0).abs() < 1e-6);
/// assert!((m.wall_area() - 200.0).abs() < 1e-6);
/// ```
pub fn extrude(rings: &[Vec<[f64; 2]>], base: f32, top: f32) -> MeshData {
    let mut m = flat_polygon(rings, top);
    m.append(&walls(rings, base, top));
    m
}

/// The walls of a polygon (exterior ring first, then holes) from `base` to `top`, facing out
/// of the solid: [`extrude`] without its roof, for a roof drawn in a colour of its own.
pub fn walls(rings: &[Vec<[f64; 2]>], base: f32, top: f32) -> MeshData {
    let mut m = MeshData::new(Topology::Triangles);
    for (i, ring) in rings.iter().enumerate() {
        // Exterior counter-clockwise and holes clockwise: the solid is always on the left,
        // so (dy, -dx) points out of it.
        let r = open_ring(ring, i == 0);
        for k in 0..r.len() {
            let (a, b) = (r[k], r[(k + 1) % r.len()]);
            let (dx, dy) = (b[0] - a[0], b[1] - a[1]);
            let l = (dx * dx + dy * dy).sqrt();
            if l < 1e-9 {
                continue;
            }
            let n = [(dy / l) as f32, 0.0, (dx / l) as f32];
            let v0 = m.vertex(to_scene(a, base), n);
            let v1 = m.vertex(to_scene(b, base), n);
            let v2 = m.vertex(to_scene(b, top), n);
            let v3 = m.vertex(to_scene(a, top), n);
            m.indices.extend([v0, v1, v2, v0, v2, v3]);
        }
    }
    m
}

/// The corners of a rectangular ring (four corners, right angles within a degree),
/// counter-clockwise and starting at a corner whose first side is a long one (so that sides
/// 0→1 and 2→3 are the long sides); `None` for any other ring.
///
/// ```
/// use parktwin_scene::mesh::rectangle;
/// let c = rectangle(&[[0.0, 0.0], [10.0, 0.0], [10.0, 40.0], [0.0, 40.0], [0.0, 0.0]]).expect("a rectangle");
/// assert_eq!((c[0], c[1]), ([10.0, 0.0], [10.0, 40.0]));
/// assert!(rectangle(&[[0.0, 0.0], [10.0, 0.0], [12.0, 5.0], [0.0, 5.0]]).is_none());
/// ```
pub fn rectangle(ring: &[[f64; 2]]) -> Option<[[f64; 2]; 4]> {
    let r = open_ring(ring, true);
    if r.len() != 4 {
        return None;
    }
    let side = |k: usize| {
        let (a, b) = (r[k % 4], r[(k + 1) % 4]);
        [b[0] - a[0], b[1] - a[1]]
    };
    let len = |v: [f64; 2]| v[0].hypot(v[1]);
    for k in 0..4 {
        let (u, v) = (side(k), side(k + 1));
        let cos = (u[0] * v[0] + u[1] * v[1]) / (len(u) * len(v)).max(1e-12);
        if cos.abs() > 1f64.to_radians().sin() {
            return None;
        }
    }
    let k0 = if len(side(0)) >= len(side(1)) { 0 } else { 1 };
    Some(std::array::from_fn(|i| r[(k0 + i) % 4]))
}

/// A gable roof: its two slopes and its two triangular ends (walls), and the height of its
/// eaves.
#[derive(Debug, Clone, PartialEq)]
pub struct Gable {
    /// The two slopes, from the eaves up to the ridge.
    pub slopes: MeshData,
    /// The two gable ends, upright triangles over the short walls.
    pub ends: MeshData,
    /// Height of the eaves, metres.
    pub eave: f32,
}

/// A gable roof over a rectangular footprint, its ridge at `ridge` along the rectangle's long
/// axis and its slopes rising `slope` metres a metre; or `None` when the ring is not a
/// rectangle (four corners, right angles within a degree): other footprints keep a flat roof.
///
/// ```
/// use parktwin_scene::mesh::gable;
/// let shed = vec![[0.0, 0.0], [40.0, 0.0], [40.0, 20.0], [0.0, 20.0], [0.0, 0.0]];
/// let roof = gable(&shed, 9.0, 0.1).expect("a rectangle");
/// assert_eq!(roof.eave, 8.0);
/// let (lo, hi) = roof.slopes.bounds();
/// assert_eq!((lo[1], hi[1]), (8.0, 9.0));
/// // Each end is a triangle 20 m wide and 1 m high.
/// assert!((roof.ends.wall_area() - 2.0 * 10.0).abs() < 1e-3);
/// assert!(gable(&[[0.0, 0.0], [10.0, 0.0], [0.0, 10.0], [0.0, 0.0]], 3.0, 0.1).is_none());
/// ```
pub fn gable(ring: &[[f64; 2]], ridge: f32, slope: f32) -> Option<Gable> {
    let c = rectangle(ring)?;
    let len = |v: [f64; 2]| v[0].hypot(v[1]);
    let span = len([c[2][0] - c[1][0], c[2][1] - c[1][1]]) as f32;
    let eave = ridge - slope * span / 2.0;
    let mid = |a: [f64; 2], b: [f64; 2]| [(a[0] + b[0]) / 2.0, (a[1] + b[1]) / 2.0];
    // The ridge runs from the middle of the short side 3→0 to the middle of 1→2.
    let (r0, r1) = (mid(c[3], c[0]), mid(c[1], c[2]));
    let mut slopes = MeshData::new(Topology::Triangles);
    for (a, b, ra, rb) in [(c[0], c[1], r0, r1), (c[2], c[3], r1, r0)] {
        let (pa, pb) = (to_scene(a, eave), to_scene(b, eave));
        let (qa, qb) = (to_scene(ra, ridge), to_scene(rb, ridge));
        let n = unit_normal(pa, pb, qb);
        let v = [pa, pb, qb, qa].map(|p| slopes.vertex(p, n));
        slopes.indices.extend([v[0], v[1], v[2], v[0], v[2], v[3]]);
    }
    let mut ends = MeshData::new(Topology::Triangles);
    for (a, b, top) in [(c[1], c[2], r1), (c[3], c[0], r0)] {
        let (pa, pb, pt) = (to_scene(a, eave), to_scene(b, eave), to_scene(top, ridge));
        let n = unit_normal(pa, pb, pt);
        let v = [pa, pb, pt].map(|p| ends.vertex(p, n));
        ends.indices.extend(v);
    }
    Some(Gable { slopes, ends, eave })
}

/// The unit normal of the counter-clockwise triangle `a, b, c`.
fn unit_normal(a: [f32; 3], b: [f32; 3], c: [f32; 3]) -> [f32; 3] {
    let u = bevy::math::Vec3::from(b) - bevy::math::Vec3::from(a);
    let v = bevy::math::Vec3::from(c) - bevy::math::Vec3::from(a);
    u.cross(v).normalize_or_zero().to_array()
}

/// A steel member of square section `width` between two points `[east, north, up]`: four
/// sides and two ends (a pipe rack's columns, beams and stringers).
///
/// ```
/// use parktwin_scene::mesh::beam;
/// let column = beam([0.0, 0.0, 0.0], [0.0, 0.0, 7.0], 0.4);
/// let (lo, hi) = column.bounds();
/// assert_eq!((lo[1], hi[1]), (0.0, 7.0));
/// assert!((column.wall_area() - 4.0 * 0.4 * 7.0).abs() < 1e-4);
/// ```
pub fn beam(a: [f64; 3], b: [f64; 3], width: f64) -> MeshData {
    use bevy::math::Vec3;
    let mut m = MeshData::new(Topology::Triangles);
    let (pa, pb) = (
        Vec3::from(to_scene([a[0], a[1]], a[2] as f32)),
        Vec3::from(to_scene([b[0], b[1]], b[2] as f32)),
    );
    let dir = (pb - pa).normalize_or_zero();
    if dir == Vec3::ZERO {
        return m;
    }
    // Two directions across the member: level one first, so that beams stand square.
    let across = if dir.y.abs() > 0.99 {
        Vec3::X
    } else {
        dir.cross(Vec3::Y).normalize()
    };
    let up = across.cross(dir).normalize();
    let h = width as f32 / 2.0;
    let corners = [across + up, -across + up, -across - up, across - up].map(|c| c * h);
    for k in 0..4 {
        let (c0, c1) = (corners[k], corners[(k + 1) % 4]);
        m.quad([pa + c0, pb + c0, pb + c1, pa + c1], (c0 + c1).normalize());
    }
    m.quad(corners.map(|c| pa + c), -dir);
    m.quad(corners.map(|c| pb + c), dir);
    m
}

/// An upright cylinder with a roof: `centre` in map metres, from `base` to `base + height`.
pub fn cylinder(centre: [f64; 2], radius: f32, base: f32, height: f32, segments: usize) -> MeshData {
    let mut m = MeshData::new(Topology::Triangles);
    let c = to_scene(centre, base);
    let segments = segments.max(3);
    let top = base + height;
    let centre_top = m.vertex([c[0], top, c[2]], [0.0, 1.0, 0.0]);
    let ring: Vec<(f32, f32)> = (0..=segments)
        .map(|i| {
            let a = i as f32 / segments as f32 * std::f32::consts::TAU;
            (a.cos(), a.sin())
        })
        .collect();
    for w in ring.windows(2) {
        let ((c0, s0), (c1, s1)) = (w[0], w[1]);
        // Angle runs counter-clockwise seen from above: east = +x, north = −z.
        let p = |c_: f32, s_: f32, y: f32| [c[0] + radius * c_, y, c[2] - radius * s_];
        let a = m.vertex(p(c0, s0, top), [0.0, 1.0, 0.0]);
        let b = m.vertex(p(c1, s1, top), [0.0, 1.0, 0.0]);
        m.indices.extend([centre_top, a, b]);
        let (n0, n1) = ([c0, 0.0, -s0], [c1, 0.0, -s1]);
        let v0 = m.vertex(p(c0, s0, base), n0);
        let v1 = m.vertex(p(c1, s1, base), n1);
        let v2 = m.vertex(p(c1, s1, top), n1);
        let v3 = m.vertex(p(c0, s0, top), n0);
        m.indices.extend([v0, v1, v2, v0, v2, v3]);
    }
    m
}

/// A flat ribbon of `width` metres along a polyline at height `y` (roads).
pub fn ribbon(line: &[[f64; 2]], width: f64, y: f32) -> MeshData {
    let line: Vec<[f64; 3]> = line.iter().map(|p| [p[0], p[1], f64::from(y)]).collect();
    // Each piece extended by half the width so that a level road's joints have no gaps.
    ribbon_pieces(&line, width, true)
}

/// A ribbon of `width` metres along a polyline of `[east, north, up]` points, level across
/// its width (pipe-rack overlays, flows drawn as arcs).
pub fn ribbon3(line: &[[f64; 3]], width: f64) -> MeshData {
    ribbon_pieces(line, width, false)
}

/// One quad per piece of a polyline, level across its width; `extend` lengthens each piece
/// by half the width at both ends.
fn ribbon_pieces(line: &[[f64; 3]], width: f64, extend: bool) -> MeshData {
    let mut m = MeshData::new(Topology::Triangles);
    let h = width / 2.0;
    for w in line.windows(2) {
        let (a, b) = (w[0], w[1]);
        let (dx, dy) = (b[0] - a[0], b[1] - a[1]);
        let l = (dx * dx + dy * dy).sqrt();
        if l < 1e-9 {
            continue;
        }
        let (nx, ny) = (-dy / l * h, dx / l * h);
        let (ex, ey) = if extend { (dx / l * h, dy / l * h) } else { (0.0, 0.0) };
        let a2 = [a[0] - ex, a[1] - ey];
        let b2 = [b[0] + ex, b[1] + ey];
        let up = [0.0, 1.0, 0.0];
        let (za, zb) = (a[2] as f32, b[2] as f32);
        let v0 = m.vertex(to_scene([a2[0] - nx, a2[1] - ny], za), up);
        let v1 = m.vertex(to_scene([b2[0] - nx, b2[1] - ny], zb), up);
        let v2 = m.vertex(to_scene([b2[0] + nx, b2[1] + ny], zb), up);
        let v3 = m.vertex(to_scene([a2[0] + nx, a2[1] + ny], za), up);
        m.indices.extend([v0, v1, v2, v0, v2, v3]);
    }
    m
}

/// A line raised into an arc: the points of `line` (east, north) densified and lifted by
/// `height · 4t(1 − t)` over the line's length `t ∈ [0, 1]`, on top of `base`.
///
/// ```
/// let arc = parktwin_scene::mesh::arc(&[[0.0, 0.0], [100.0, 0.0]], 2.0, 50.0, 8);
/// assert_eq!(arc.first(), Some(&[0.0, 0.0, 2.0]));
/// assert_eq!(arc[4], [50.0, 0.0, 52.0]);
/// assert_eq!(arc.last(), Some(&[100.0, 0.0, 2.0]));
/// ```
pub fn arc(line: &[[f64; 2]], base: f64, height: f64, segments: usize) -> Vec<[f64; 3]> {
    let lens: Vec<f64> = line
        .windows(2)
        .map(|w| ((w[1][0] - w[0][0]).powi(2) + (w[1][1] - w[0][1]).powi(2)).sqrt())
        .collect();
    let total: f64 = lens.iter().sum();
    if line.len() < 2 || total <= 0.0 {
        return line.iter().map(|p| [p[0], p[1], base]).collect();
    }
    let segments = segments.max(1);
    let mut out = Vec::with_capacity(segments + 1);
    for k in 0..=segments {
        let t = k as f64 / segments as f64;
        let mut along = t * total;
        let mut i = 0;
        while i + 1 < lens.len() && along > lens[i] {
            along -= lens[i];
            i += 1;
        }
        let f = if lens[i] > 0.0 { (along / lens[i]).min(1.0) } else { 0.0 };
        let (a, b) = (line[i], line[i + 1]);
        out.push([
            a[0] + (b[0] - a[0]) * f,
            a[1] + (b[1] - a[1]) * f,
            base + height * 4.0 * t * (1.0 - t),
        ]);
    }
    out
}

/// Line segments along a polyline of `[east, north, up]` points.
pub fn polyline(points: &[[f64; 3]]) -> MeshData {
    let mut m = MeshData::new(Topology::Lines);
    for w in points.windows(2) {
        let a = m.vertex(to_scene([w[0][0], w[0][1]], w[0][2] as f32), [0.0, 1.0, 0.0]);
        let b = m.vertex(to_scene([w[1][0], w[1][1]], w[1][2] as f32), [0.0, 1.0, 0.0]);
        m.indices.extend([a, b]);
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    fn square(x: f64, y: f64, s: f64) -> Vec<[f64; 2]> {
        vec![[x, y], [x + s, y], [x + s, y + s], [x, y + s], [x, y]]
    }

    #[test]
    fn hole_is_left_open() {
        let m = flat_polygon(&[square(0.0, 0.0, 10.0), square(2.0, 2.0, 4.0)], 1.0);
        assert!((m.up_facing_area() - 84.0).abs() < 1e-6, "{}", m.up_facing_area());
    }

    #[test]
    fn triangles_face_up_whatever_the_ring_winding() {
        let mut cw = square(0.0, 0.0, 10.0);
        cw.reverse();
        let m = flat_polygon(&[cw], 0.0);
        for (t, _) in m.triangles() {
            // Front faces are counter-clockwise seen from above: (b-a)×(c-a) has +y.
            let (a, b, c) = (t[0], t[1], t[2]);
            let cross_y = (b[2] - a[2]) * (c[0] - a[0]) - (b[0] - a[0]) * (c[2] - a[2]);
            assert!(cross_y > 0.0, "triangle {t:?} faces down");
        }
    }

    #[test]
    fn walls_point_outward() {
        let m = extrude(&[square(0.0, 0.0, 10.0)], 0.0, 5.0);
        for (t, n) in m.triangles().filter(|(_, n)| n[1].abs() < 0.01) {
            let mid = [(t[0][0] + t[1][0] + t[2][0]) / 3.0, (t[0][2] + t[1][2] + t[2][2]) / 3.0];
            // The prism's centre is at x = 5, z = -5: the normal points away from it.
            let out = (mid[0] - 5.0) * n[0] + (mid[1] + 5.0) * n[2];
            assert!(out > 0.0, "wall normal {n:?} at {mid:?} points inward");
        }
        let (lo, hi) = m.bounds();
        assert_eq!((lo[1], hi[1]), (0.0, 5.0));
    }

    /// Every triangle is wound counter-clockwise seen from the side its normal points to.
    fn wound_as_its_normals(m: &MeshData) {
        for (t, n) in m.triangles() {
            let [a, b, c] = t.map(bevy::math::Vec3::from);
            let face = (b - a).cross(c - a);
            assert!(
                face.dot(bevy::math::Vec3::from(n)) > 0.0,
                "triangle {t:?} faces away from its normal {n:?}"
            );
        }
    }

    /// Every normal points away from `centre`.
    fn normals_point_out_of(m: &MeshData, centre: [f32; 3]) {
        for (t, n) in m.triangles() {
            let mid =
                (bevy::math::Vec3::from(t[0]) + bevy::math::Vec3::from(t[1]) + bevy::math::Vec3::from(t[2])) / 3.0;
            assert!(
                (mid - bevy::math::Vec3::from(centre)).dot(bevy::math::Vec3::from(n)) > 0.0,
                "{n:?} at {mid:?} points in"
            );
        }
    }

    #[test]
    fn a_beam_in_any_direction_faces_out() {
        for b in [[0.0, 0.0, 7.0], [10.0, 0.0, 0.0], [3.0, 4.0, 2.0], [0.0, -6.0, 0.0]] {
            let m = beam([0.0, 0.0, 0.0], b, 0.4);
            wound_as_its_normals(&m);
            let mid = to_scene([b[0] / 2.0, b[1] / 2.0], b[2] as f32 / 2.0);
            normals_point_out_of(&m, mid);
        }
    }

    #[test]
    fn a_gable_roof_faces_up_and_out_whichever_way_its_footprint_is_drawn() {
        let mut shed = square(0.0, 0.0, 10.0);
        shed[1][0] = 30.0;
        shed[2][0] = 30.0;
        for ring in [shed.clone(), shed.iter().rev().copied().collect()] {
            let roof = gable(&ring, 6.0, 0.1).expect("a rectangle");
            assert!((roof.eave - 5.5).abs() < 1e-5);
            wound_as_its_normals(&roof.slopes);
            wound_as_its_normals(&roof.ends);
            assert!(roof.slopes.triangles().all(|(_, n)| n[1] > 0.0));
            normals_point_out_of(&roof.ends, [15.0, 5.5, -5.0]);
            normals_point_out_of(&roof.slopes, [15.0, 0.0, -5.0]);
            // The ridge runs east–west, along the long sides.
            let top: Vec<[f32; 3]> = roof.slopes.positions.iter().filter(|p| p[1] == 6.0).copied().collect();
            assert!(top.iter().all(|p| (p[2] + 5.0).abs() < 1e-4), "{top:?}");
        }
        assert!(
            gable(
                &[[0.0, 0.0], [10.0, 0.0], [12.0, 5.0], [0.0, 5.0], [0.0, 0.0]],
                6.0,
                0.1
            )
            .is_none()
        );
    }

    #[test]
    fn walls_and_prisms_face_out() {
        let m = extrude(&[square(0.0, 0.0, 10.0), square(2.0, 2.0, 4.0)], 0.0, 5.0);
        wound_as_its_normals(&m);
    }

    #[test]
    fn cylinder_has_the_radius_and_height_asked_for() {
        let m = cylinder([100.0, 50.0], 8.0, 0.0, 12.0, 48);
        let (lo, hi) = m.bounds();
        assert!((hi[0] - lo[0] - 16.0).abs() < 1e-3 && (hi[1] - 12.0).abs() < 1e-6);
        assert!(((lo[0] + hi[0]) / 2.0 - 100.0).abs() < 1e-3 && ((lo[2] + hi[2]) / 2.0 + 50.0).abs() < 1e-3);
        let roof = std::f64::consts::PI * 64.0;
        assert!(
            (m.up_facing_area() - roof).abs() / roof < 0.01,
            "{}",
            m.up_facing_area()
        );
    }

    #[test]
    fn ribbon_covers_length_times_width() {
        let m = ribbon(&[[0.0, 0.0], [100.0, 0.0]], 10.0, 0.1);
        assert!((m.up_facing_area() - 110.0 * 10.0).abs() < 1e-6);
    }
}
