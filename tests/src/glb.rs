//! Test-made glTF 2.0 binaries (GLB, glTF 2.0 spec §4.4): a box with one unlit material
//! (KHR_materials_unlit), so that what a render draws of it is exactly its colour.

use serde_json::json;

/// A GLB holding one box `size` metres (x east, y up, z south as exported), its origin at the
/// centre of its base, in `colour` (linear RGB, 0–1).
pub fn unlit_box(size: [f32; 3], colour: [f32; 3]) -> Vec<u8> {
    let [hx, h, hz] = [size[0] / 2.0, size[1], size[2] / 2.0];
    // Four corners a face, each face with its own normal.
    let faces: [([f32; 3], [[f32; 3]; 4]); 6] = [
        (
            [0.0, 1.0, 0.0],
            [[-hx, h, hz], [hx, h, hz], [hx, h, -hz], [-hx, h, -hz]],
        ),
        (
            [0.0, -1.0, 0.0],
            [[-hx, 0.0, -hz], [hx, 0.0, -hz], [hx, 0.0, hz], [-hx, 0.0, hz]],
        ),
        (
            [1.0, 0.0, 0.0],
            [[hx, 0.0, hz], [hx, 0.0, -hz], [hx, h, -hz], [hx, h, hz]],
        ),
        (
            [-1.0, 0.0, 0.0],
            [[-hx, 0.0, -hz], [-hx, 0.0, hz], [-hx, h, hz], [-hx, h, -hz]],
        ),
        (
            [0.0, 0.0, 1.0],
            [[-hx, 0.0, hz], [hx, 0.0, hz], [hx, h, hz], [-hx, h, hz]],
        ),
        (
            [0.0, 0.0, -1.0],
            [[hx, 0.0, -hz], [-hx, 0.0, -hz], [-hx, h, -hz], [hx, h, -hz]],
        ),
    ];
    let mut positions = Vec::new();
    let mut normals = Vec::new();
    let mut indices: Vec<u16> = Vec::new();
    for (k, (n, corners)) in faces.iter().enumerate() {
        for c in corners {
            positions.extend_from_slice(c);
            normals.extend_from_slice(n);
        }
        let b = (k * 4) as u16;
        indices.extend([b, b + 1, b + 2, b, b + 2, b + 3]);
    }
    let mut bin: Vec<u8> = Vec::new();
    for v in positions.iter().chain(&normals) {
        bin.extend_from_slice(&v.to_le_bytes());
    }
    let index_offset = bin.len();
    for i in &indices {
        bin.extend_from_slice(&i.to_le_bytes());
    }
    while !bin.len().is_multiple_of(4) {
        bin.push(0);
    }
    let vertex_bytes = positions.len() * 4;
    let doc = json!({
        "asset": {"version": "2.0", "generator": "parktwin-e2e"},
        "extensionsUsed": ["KHR_materials_unlit"],
        "scene": 0,
        "scenes": [{"nodes": [0]}],
        "nodes": [{"mesh": 0}],
        "meshes": [{"primitives": [{"attributes": {"POSITION": 0, "NORMAL": 1}, "indices": 2, "material": 0}]}],
        "materials": [{
            "pbrMetallicRoughness": {"baseColorFactor": [colour[0], colour[1], colour[2], 1.0], "metallicFactor": 0.0},
            "extensions": {"KHR_materials_unlit": {}}
        }],
        "buffers": [{"byteLength": bin.len()}],
        "bufferViews": [
            {"buffer": 0, "byteOffset": 0, "byteLength": vertex_bytes, "target": 34962},
            {"buffer": 0, "byteOffset": vertex_bytes, "byteLength": vertex_bytes, "target": 34962},
            {"buffer": 0, "byteOffset": index_offset, "byteLength": indices.len() * 2, "target": 34963}
        ],
        "accessors": [
            {"bufferView": 0, "componentType": 5126, "count": 24, "type": "VEC3", "min": [-hx, 0.0, -hz], "max": [hx, h, hz]},
            {"bufferView": 1, "componentType": 5126, "count": 24, "type": "VEC3"},
            {"bufferView": 2, "componentType": 5123, "count": indices.len(), "type": "SCALAR"}
        ]
    });
    let mut text = serde_json::to_vec(&doc).expect("JSON");
    while !text.len().is_multiple_of(4) {
        text.push(b' ');
    }
    let total = 12 + 8 + text.len() + 8 + bin.len();
    let mut out = Vec::with_capacity(total);
    out.extend_from_slice(b"glTF");
    out.extend_from_slice(&2u32.to_le_bytes());
    out.extend_from_slice(&(total as u32).to_le_bytes());
    out.extend_from_slice(&(text.len() as u32).to_le_bytes());
    out.extend_from_slice(b"JSON");
    out.extend_from_slice(&text);
    out.extend_from_slice(&(bin.len() as u32).to_le_bytes());
    out.extend_from_slice(b"BIN\0");
    out.extend_from_slice(&bin);
    out
}
