// ParkTwin: an incident's ground-level concentration, evaluated per pixel.
//
// The same sums as the CPU reference (parktwin_dispersion::incident::Field): a steady plume cut
// to the stretch between the cloud's tail and front, plus Gaussian puffs. Only a uniform block
// and one RGBA32F texture read with textureLoad, so WebGL2 runs it as well as Vulkan or WebGPU.
//
// Texture row 0: ln σy, ln σz of the plume at 128 distances, 1 m to 100 km, log-spaced.
// Texture row 1: one texel per puff: east, north, amplitude (mg/m³ at its centre, ground
// reflection included), 1/(2σy²).

#import bevy_pbr::forward_io::VertexOutput

struct FieldParams {
    // x, y: the source's world x and z; z: puff count; w: 1 = read-out mode.
    source: vec4<f32>,
    // x, y: downwind unit (east, north); z: wind speed at the release height; w: release height.
    wind: vec4<f32>,
    // x: release rate, mg/s; y: tail, m downwind; z: front, m downwind; w: 1 if there is a slug.
    slug: vec4<f32>,
    // x, y: log10 of the ramp's low and high ends (mg/m³); z: opacity.
    ramp: vec4<f32>,
    // x, y, z: the levels of concern, mg/m³, most severe first (0: none).
    levels: vec4<f32>,
    // The log ramp's low, middle and high colours, linear RGB (parktwin_scene::style::FIELD_RAMP).
    ramp_stops: array<vec4<f32>, 3>,
    // The levels' line colours, most severe first, linear RGB (parktwin_scene::style::ZONE_LEVELS).
    line_colours: array<vec4<f32>, 3>,
};

@group(#{MATERIAL_BIND_GROUP}) @binding(0) var<uniform> params: FieldParams;
@group(#{MATERIAL_BIND_GROUP}) @binding(1) var data: texture_2d<f32>;

const PI: f32 = 3.14159265;
const LUT_N: f32 = 128.0;
const LUT_DECADES: f32 = 5.0;

fn sigmas(x: f32) -> vec2<f32> {
    let pos = clamp(log2(max(x, 1.0)) * 0.30103 / LUT_DECADES * (LUT_N - 1.0), 0.0, LUT_N - 1.0);
    let i0 = u32(floor(pos));
    let i1 = min(i0 + 1u, u32(LUT_N) - 1u);
    let f = pos - floor(pos);
    let a = textureLoad(data, vec2<u32>(i0, 0u), 0).xy;
    let b = textureLoad(data, vec2<u32>(i1, 0u), 0).xy;
    return exp(mix(a, b, f));
}

fn concentration(east: f32, north: f32) -> f32 {
    var c = 0.0;
    if params.slug.w > 0.5 {
        let x = east * params.wind.x + north * params.wind.y;
        let y = -east * params.wind.y + north * params.wind.x;
        if x > 0.0 && x >= params.slug.y && x <= params.slug.z {
            let s = sigmas(x);
            let h = params.wind.w;
            let vertical = 2.0 * exp(-h * h / (2.0 * s.y * s.y));
            c += params.slug.x / (2.0 * PI * params.wind.z * s.x * s.y) * exp(-y * y / (2.0 * s.x * s.x)) * vertical;
        }
    }
    let n = u32(params.source.z);
    for (var i = 0u; i < n; i++) {
        let p = textureLoad(data, vec2<u32>(i, 1u), 0);
        let de = east - p.x;
        let dn = north - p.y;
        let e = (de * de + dn * dn) * p.w;
        if e < 40.0 {
            c += p.z * exp(-e);
        }
    }
    return c;
}

// The log ramp, low to high: a pale yellow through orange to a deep red-purple (the theme's
// stops, from the uniform block).
fn ramp(t: f32) -> vec3<f32> {
    let a = params.ramp_stops[0].xyz;
    let b = params.ramp_stops[1].xyz;
    let d = params.ramp_stops[2].xyz;
    if t < 0.5 {
        return mix(a, b, t * 2.0);
    }
    return mix(b, d, (t - 0.5) * 2.0);
}

fn srgb_to_linear(v: f32) -> f32 {
    if v <= 0.04045 {
        return v / 12.92;
    }
    return pow((v + 0.055) / 1.055, 2.4);
}

@fragment
fn fragment(in: VertexOutput) -> @location(0) vec4<f32> {
    let east = in.world_position.x - params.source.x;
    let north = -(in.world_position.z - params.source.y);
    let c = concentration(east, north);
    if params.source.w > 0.5 {
        // Read-out: log10 c over 1e-4..1e6 mg/m³ as two 8-bit steps (coarse in red, fine in
        // green), blue full to mark the field; written so that the sRGB target stores the bytes.
        let v = clamp((log2(max(c, 1e-30)) * 0.30103 + 4.0) / 10.0, 0.0, 1.0) * 255.0;
        let hi = floor(v);
        let lo = floor((v - hi) * 255.0 + 0.5);
        var zero = 1.0;
        if c <= 0.0 {
            zero = 0.0;
        }
        return vec4<f32>(srgb_to_linear(hi / 255.0), srgb_to_linear(lo / 255.0), zero, 1.0);
    }
    if c <= 0.0 {
        discard;
    }
    let lc = log2(c) * 0.30103;
    let t = clamp((lc - params.ramp.x) / (params.ramp.y - params.ramp.x), 0.0, 1.0);
    var colour = ramp(t);
    var alpha = smoothstep(0.0, 0.15, t) * params.ramp.z * 0.8;
    if lc < params.ramp.x {
        discard;
    }
    // The levels of concern as lines where log c crosses them: red, orange, yellow.
    let w = max(fwidth(lc), 1e-4);
    for (var k = 0u; k < 3u; k++) {
        let level = params.levels[k];
        if level > 0.0 {
            let d = abs(lc - log2(level) * 0.30103) / w;
            if d < 1.5 {
                colour = params.line_colours[k].xyz;
                alpha = params.ramp.z;
            }
        }
    }
    return vec4<f32>(colour, alpha);
}
