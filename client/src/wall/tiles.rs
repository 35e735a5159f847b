//! Bezel compensation: a wall of `cols × rows` displays shows one picture as if the displays'
//! frames were part of it. The map is drawn on a virtual canvas as large as the window plus
//! the bezels between the displays; each display shows its own part of that canvas, and what
//! falls under a bezel is hidden, so that a straight road stays straight across the seams.
//!
//! Each display is a camera with a viewport on its part of the window and an off-centre
//! projection of its part of the canvas. Bevy has `SubCameraView` for the projection, but its
//! frustum culling uses the centred frustum, which would drop what the outer displays see; the
//! [`TileProjection`] here culls with the frustum it draws.

use bevy::camera::{CameraProjection, SubCameraView, Viewport};
use bevy::math::Vec3A;
use bevy::prelude::*;

/// A wall's layout: the window (all displays), how many displays across and down, and how
/// many pixels each bezel hides between two displays, across and down.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tiling {
    /// The window, pixels.
    pub window: UVec2,
    /// Displays across and down.
    pub grid: UVec2,
    /// Pixels hidden by the frames between two displays side by side, and one above the other.
    pub bezel: UVec2,
}

/// One display of the wall.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Tile {
    /// Its place in the window, pixels.
    pub viewport: URect,
    /// Its part of the virtual canvas.
    pub sub: SubCameraView,
}

impl Tiling {
    /// Checks the layout: the window must split into whole displays.
    pub fn new(window: UVec2, grid: UVec2, bezel: UVec2) -> Result<Self, String> {
        if grid.x == 0 || grid.y == 0 || grid.x > 16 || grid.y > 16 {
            return Err(format!(
                "a wall of {}x{} displays is not one (1 to 16 each way)",
                grid.x, grid.y
            ));
        }
        if !window.x.is_multiple_of(grid.x) || !window.y.is_multiple_of(grid.y) {
            return Err(format!(
                "a {}x{} window does not split into {}x{} displays of whole pixels",
                window.x, window.y, grid.x, grid.y
            ));
        }
        if bezel.x > 1000 || bezel.y > 1000 {
            return Err(format!(
                "a bezel of {}x{} pixels is too wide (at most 1000)",
                bezel.x, bezel.y
            ));
        }
        Ok(Self { window, grid, bezel })
    }

    /// One display's size, pixels.
    pub fn display(&self) -> UVec2 {
        self.window / self.grid
    }

    /// The virtual canvas: the window with the bezels between the displays.
    pub fn canvas(&self) -> UVec2 {
        self.window + self.bezel * (self.grid - UVec2::ONE)
    }

    /// Whether the wall is one picture as it is (one display, or no bezels to make up for).
    pub fn is_plain(&self) -> bool {
        self.grid == UVec2::ONE || self.bezel == UVec2::ZERO
    }

    /// Every display, row by row from the top left.
    pub fn tiles(&self) -> Vec<Tile> {
        let d = self.display();
        let mut out = Vec::new();
        for row in 0..self.grid.y {
            for col in 0..self.grid.x {
                let at = UVec2::new(col, row);
                out.push(Tile {
                    viewport: URect::from_corners(at * d, at * d + d),
                    sub: SubCameraView {
                        full_size: self.canvas(),
                        offset: (at * (d + self.bezel)).as_vec2(),
                        size: d,
                    },
                });
            }
        }
        out
    }

    /// Where a point of the canvas shows in the window; `None` under a bezel.
    pub fn on_window(&self, canvas: Vec2) -> Option<Vec2> {
        let d = self.display().as_vec2();
        let step = d + self.bezel.as_vec2();
        let cell = (canvas / step).floor();
        let within = canvas - cell * step;
        let inside = cell.cmpge(Vec2::ZERO).all() && cell.cmplt(self.grid.as_vec2()).all() && within.cmplt(d).all();
        inside.then(|| cell * d + within)
    }
}

/// A perspective of one display's part of the canvas, culled by the frustum it draws.
#[derive(Debug, Clone)]
pub struct TileProjection {
    /// The whole canvas' perspective (its aspect is the canvas').
    pub perspective: PerspectiveProjection,
    /// This display's part.
    pub sub: SubCameraView,
}

impl CameraProjection for TileProjection {
    fn get_clip_from_view(&self) -> Mat4 {
        self.perspective.get_clip_from_view_for_sub(&self.sub)
    }

    fn get_clip_from_view_for_sub(&self, sub_view: &SubCameraView) -> Mat4 {
        self.perspective.get_clip_from_view_for_sub(sub_view)
    }

    fn update(&mut self, _width: f32, _height: f32) {
        // The aspect is the canvas', not the viewport's: it was set when the wall was laid out.
    }

    fn far(&self) -> f32 {
        self.perspective.far
    }

    fn get_frustum_corners(&self, z_near: f32, z_far: f32) -> [Vec3A; 8] {
        // The off-centre frustum's corners: the canvas' corners at each depth, cut to this part.
        let tan = (self.perspective.fov / 2.0).tan();
        let full = self.sub.full_size.as_vec2();
        let aspect = full.x / full.y;
        let x0 = -1.0 + 2.0 * self.sub.offset.x / full.x;
        let x1 = -1.0 + 2.0 * (self.sub.offset.x + self.sub.size.x as f32) / full.x;
        let y1 = 1.0 - 2.0 * self.sub.offset.y / full.y;
        let y0 = 1.0 - 2.0 * (self.sub.offset.y + self.sub.size.y as f32) / full.y;
        let at = |z: f32| {
            let h = z.abs() * tan;
            let w = h * aspect;
            [
                Vec3A::new(x1 * w, y0 * h, z),
                Vec3A::new(x1 * w, y1 * h, z),
                Vec3A::new(x0 * w, y1 * h, z),
                Vec3A::new(x0 * w, y0 * h, z),
            ]
        };
        let (n, f) = (at(z_near), at(z_far));
        [n[0], n[1], n[2], n[3], f[0], f[1], f[2], f[3]]
    }
}

/// The wall's layout, when it has more than one display with bezels.
#[derive(Resource, Debug, Clone, Copy)]
pub struct WallTiling(pub Tiling);

/// Turns the map camera into the first display and adds one camera per other display, each a
/// child of the map camera so that it moves with it.
pub fn spawn_tiles(
    mut commands: Commands,
    tiling: Option<Res<WallTiling>>,
    rig: Query<(Entity, &Projection), With<parktwin_scene::OrbitCamera>>,
) {
    let Some(tiling) = tiling else { return };
    let Ok((rig, projection)) = rig.single() else { return };
    let Projection::Perspective(p) = projection else { return };
    let canvas = tiling.0.canvas().as_vec2();
    let perspective = PerspectiveProjection {
        aspect_ratio: canvas.x / canvas.y,
        ..p.clone()
    };
    for (i, tile) in tiling.0.tiles().into_iter().enumerate() {
        let camera = Camera {
            order: i as isize,
            viewport: Some(Viewport {
                physical_position: tile.viewport.min,
                physical_size: tile.viewport.size(),
                ..default()
            }),
            // The first display clears the whole window (the bezels' share stays clear); the
            // others draw over it, each in its own viewport.
            clear_color: if i == 0 {
                ClearColorConfig::Default
            } else {
                ClearColorConfig::None
            },
            ..default()
        };
        let projection = Projection::custom(TileProjection {
            perspective: perspective.clone(),
            sub: tile.sub,
        });
        if i == 0 {
            commands.entity(rig).insert((camera, projection));
        } else {
            commands.spawn((
                Camera3d::default(),
                camera,
                projection,
                bevy::core_pipeline::tonemapping::Tonemapping::None,
                Transform::IDENTITY,
                ChildOf(rig),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_4x2_wall_hides_the_bezels_between_its_displays() {
        let t = Tiling::new(UVec2::new(7680, 2160), UVec2::new(4, 2), UVec2::new(40, 30)).expect("a wall");
        assert_eq!(t.display(), UVec2::new(1920, 1080));
        assert_eq!(t.canvas(), UVec2::new(7680 + 3 * 40, 2160 + 30));
        let tiles = t.tiles();
        assert_eq!(tiles.len(), 8);
        // The second display of the second row: its window place and its part of the canvas.
        let tile = tiles[5];
        assert_eq!(tile.viewport, URect::new(1920, 1080, 3840, 2160));
        assert_eq!(tile.sub.offset, Vec2::new(1960.0, 1110.0));
        // The last pixel of the first display and the first of the second are 40 canvas pixels
        // apart: the bezel's width is drawn on the canvas and shown nowhere.
        assert_eq!(t.on_window(Vec2::new(1919.5, 10.0)), Some(Vec2::new(1919.5, 10.0)));
        assert_eq!(t.on_window(Vec2::new(1930.0, 10.0)), None, "under the bezel");
        assert_eq!(t.on_window(Vec2::new(1960.5, 10.0)), Some(Vec2::new(1920.5, 10.0)));
        assert_eq!(t.on_window(Vec2::new(100.0, 1095.0)), None, "under the bezel below");
        assert!(!t.is_plain());
        assert!(
            Tiling::new(UVec2::new(3840, 1080), UVec2::ONE, UVec2::ZERO)
                .expect("one")
                .is_plain()
        );
        assert!(Tiling::new(UVec2::new(7681, 2160), UVec2::new(4, 2), UVec2::ZERO).is_err());
    }

    #[test]
    fn each_display_projects_its_own_part_of_the_canvas() {
        let t = Tiling::new(UVec2::new(2000, 1000), UVec2::new(2, 1), UVec2::new(100, 0)).expect("a wall");
        let perspective = PerspectiveProjection {
            fov: parktwin_scene::camera::FOV_Y,
            aspect_ratio: 2100.0 / 1000.0,
            near: 1.0,
            ..default()
        };
        let whole = perspective.get_clip_from_view();
        // A point in view space, and where the whole canvas' projection puts it in pixels.
        let p = Vec4::new(12.0, 3.0, -40.0, 1.0);
        let c = whole * p;
        let canvas = Vec2::new((c.x / c.w + 1.0) / 2.0 * 2100.0, (1.0 - c.y / c.w) / 2.0 * 1000.0);
        let on_window = t.on_window(canvas).expect("not under the bezel");
        // The display that shows it projects it to the same pixel of its viewport.
        let tile = t
            .tiles()
            .into_iter()
            .find(|tile| tile.viewport.as_rect().contains(on_window))
            .expect("a display shows it");
        let proj = TileProjection {
            perspective: perspective.clone(),
            sub: tile.sub,
        };
        let c = proj.get_clip_from_view() * p;
        let size = tile.viewport.size().as_vec2();
        let px =
            Vec2::new((c.x / c.w + 1.0) / 2.0 * size.x, (1.0 - c.y / c.w) / 2.0 * size.y) + tile.viewport.min.as_vec2();
        assert!((px - on_window).length() < 0.01, "{px} vs {on_window}");
        // Its frustum corners frame the same part: the near corners project to the viewport's.
        let corners = proj.get_frustum_corners(-1.0, -100.0);
        let c = proj.get_clip_from_view() * corners[2].extend(1.0);
        assert!((c.x / c.w + 1.0).abs() < 1e-4 && (c.y / c.w - 1.0).abs() < 1e-4, "{c}");
    }
}
