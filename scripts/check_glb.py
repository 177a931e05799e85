#!/usr/bin/env python3
"""Reads a text-to-3D run's mesh.glb with an independent glTF reader (trimesh) and checks it against mesh.ply.

    python3 -m pip install --no-deps --target /tmp/refsite-opt trimesh==4.*     # pure Python; numpy from /tmp/refsite
    PYTHONPATH=/tmp/refsite:/tmp/refsite-opt python3 scripts/check_glb.py RUN_FOLDER

Checks: trimesh loads the GLB as one triangle mesh with the PLY's vertex positions (float32, bit for bit), faces and
vertex colours; the bounds the GLB declares equal the vertices' bounds; the surface is watertight and consistently
wound with outward normals (positive volume), and the GLB's NORMAL accessor agrees with trimesh's normals of the faces.
"""
import json
import struct
import sys

import numpy as np
import trimesh


def main(folder):
    scene = trimesh.load(f"{folder}/mesh.glb", force="scene", process=False)
    meshes = list(scene.geometry.values())
    assert len(meshes) == 1, f"{len(meshes)} meshes in the GLB"
    glb = meshes[0]
    ply = trimesh.load(f"{folder}/mesh.ply", process=False)
    assert np.array_equal(glb.vertices.astype(np.float32), ply.vertices.astype(np.float32)), "positions differ from the PLY"
    assert np.array_equal(glb.faces, ply.faces), "faces differ from the PLY"
    glb_colours = glb.visual.vertex_colors[:, :3]
    ply_colours = ply.visual.vertex_colors[:, :3]
    assert np.array_equal(glb_colours, ply_colours), "vertex colours differ from the PLY"
    assert glb.is_watertight and glb.is_winding_consistent, "not watertight / inconsistent winding"
    assert glb.volume > 0, f"volume {glb.volume}: normals point inward"

    data = open(f"{folder}/mesh.glb", "rb").read()
    (json_length,) = struct.unpack("<I", data[12:16])
    document = json.loads(data[20:20 + json_length])
    position = document["accessors"][document["meshes"][0]["primitives"][0]["attributes"]["POSITION"]]
    assert np.allclose(position["min"], glb.vertices.min(axis=0)) and np.allclose(position["max"], glb.vertices.max(axis=0)), "bounds"
    # The file's NORMAL accessor, read from the BIN chunk, against area-weighted vertex normals computed
    # here from the PLY's faces (trimesh's own `vertex_normals` weight by angle, which differs at the sharp
    # edges a simplified mesh keeps).
    accessor = document["accessors"][document["meshes"][0]["primitives"][0]["attributes"]["NORMAL"]]
    view = document["bufferViews"][accessor["bufferView"]]
    binary = data[20 + json_length + 8:]
    normals = np.frombuffer(binary[view["byteOffset"]:view["byteOffset"] + view["byteLength"]], dtype="<f4").reshape(-1, 3)
    corners = ply.vertices[ply.faces].astype(np.float64)
    face_normals = np.cross(corners[:, 1] - corners[:, 0], corners[:, 2] - corners[:, 0])  # length = 2 × area
    expected = np.zeros_like(ply.vertices, dtype=np.float64)
    for lane in range(3):
        np.add.at(expected, ply.faces[:, lane], face_normals)
    expected /= np.linalg.norm(expected, axis=1, keepdims=True)
    agreement = np.einsum("ij,ij->i", normals, expected)
    assert np.allclose(np.linalg.norm(normals, axis=1), 1, atol=1e-5), "unit normals"
    assert agreement.min() > 0.9999, f"normals differ from the area-weighted ones: least cosine {agreement.min():.5f}"
    print(f"{folder}/mesh.glb: trimesh {trimesh.__version__} reads {len(glb.vertices)} vertices, {len(glb.faces)} faces; "
          f"same as mesh.ply; watertight, consistent winding, volume {glb.volume:.4f}")


if __name__ == "__main__":
    main(sys.argv[1])
