# Sourced by the scripts: one build folder that outlives a checkout, so the demo, the tests and
# CI on the same machine share one Bevy build (a cold one takes about half an hour on 2 cores).
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/parktwin/target}"
# Mesa's software Vulkan when there is no GPU; a real GPU's driver wins when present.
export WGPU_BACKEND="${WGPU_BACKEND:-vulkan}"
# The Python tools the tests run (scripts/setup-python installs them).
export PARKTWIN_VENV="${PARKTWIN_VENV:-$HOME/.cache/parktwin/venv}"
# Sample data the tests read that the repository does not carry (scripts/setup-python fetches
# them): a real OpenStreetMap extract.
export PARKTWIN_SAMPLES="${PARKTWIN_SAMPLES:-$HOME/.cache/parktwin/samples}"
