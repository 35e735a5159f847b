//! `parktwin render --offscreen`: the same picture with no window and no display.
//!
//! A command centre's reports, or a server with a GPU and no X, need frames without a window:
//! a GPU driver such as NVIDIA's will not draw into a virtual display's window (its Vulkan
//! needs its own X server), and `xvfb-run` is one more thing to install. Here every camera
//! draws into one image of the window's size instead. The app still has its `Window` (the
//! panel's and the map's layout read its size), but no window system: no winit, and a plain
//! loop runs the frames.
//!
//! A window's swap chain also paces the frames: the CPU cannot run more than a frame or two
//! ahead of the GPU. An image has no such brake, so after each frame is submitted the render
//! world waits for the GPU to finish it. A frame timed offscreen is therefore the CPU's and the
//! GPU's work one after the other, a little more than a window's pipelined frame, never less.

use std::time::Duration;

use bevy::app::{PluginGroupBuilder, ScheduleRunnerPlugin};
use bevy::camera::{ImageRenderTarget, RenderTarget};
use bevy::prelude::*;
use bevy::render::render_resource::{PollType, TextureFormat, TextureUsages};
use bevy::render::renderer::RenderDevice;
use bevy::render::{Render, RenderApp, RenderSystems};

/// The default plugins without the window system, a loop that runs frames back to back, and
/// every camera drawing into an image of `size` pixels ([`OffscreenPlugin`], built after the
/// renderer and the image assets it needs).
pub fn without_window(plugins: PluginGroupBuilder, size: (u32, u32)) -> PluginGroupBuilder {
    plugins
        .disable::<bevy::winit::WinitPlugin>()
        .add(ScheduleRunnerPlugin::run_loop(Duration::ZERO))
        .add(OffscreenPlugin { size })
}

/// The image every camera draws into.
#[derive(Resource, Debug, Clone)]
pub struct Offscreen(pub Handle<Image>);

/// Points every camera at an image of `size` pixels and keeps the CPU in step with the GPU.
pub struct OffscreenPlugin {
    /// The image's size: the window's.
    pub size: (u32, u32),
}

impl Plugin for OffscreenPlugin {
    fn build(&self, app: &mut App) {
        let mut image = Image::new_target_texture(self.size.0, self.size.1, TextureFormat::Rgba8UnormSrgb, None);
        // Read back by the screenshot.
        image.texture_descriptor.usage |= TextureUsages::COPY_SRC;
        let handle = app.world_mut().resource_mut::<Assets<Image>>().add(image);
        app.insert_resource(Offscreen(handle)).add_observer(aim_at_image);
        if let Some(render_app) = app.get_sub_app_mut(RenderApp) {
            render_app.add_systems(Render, wait_for_gpu.in_set(RenderSystems::Cleanup));
        }
    }
}

/// A camera that would draw into a window draws into the image (cameras are spawned with the
/// primary window as their target; the wall spawns a second one for bezels).
fn aim_at_image(
    added: On<Insert, RenderTarget>,
    targets: Query<&RenderTarget>,
    image: Res<Offscreen>,
    mut commands: Commands,
) {
    if let Ok(RenderTarget::Window(_)) = targets.get(added.entity) {
        commands
            .entity(added.entity)
            .insert(RenderTarget::Image(ImageRenderTarget {
                handle: image.0.clone(),
                scale_factor: 1.0,
            }));
    }
}

/// Waits until the GPU has drawn the frame just submitted.
fn wait_for_gpu(device: Res<RenderDevice>) {
    if let Err(e) = device.poll(PollType::wait_indefinitely()) {
        error!("waiting for the GPU: {e}");
    }
}
