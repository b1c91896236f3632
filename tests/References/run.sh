#!/bin/bash
# Builds and runs the libtorch reference tool (see README.md). Usage:
#   tests/References/run.sh fixtures [dir]   the torchvision fixtures (default: tests/Relucent.Models.Tests/Fixtures/torchvision)
#   tests/References/run.sh lrp [dir]        the LRP fixtures, Zennit 1.0.0's rules (default: tests/Relucent.Models.Tests/Fixtures/lrp)
#   tests/References/run.sh bench [reps]     libtorch timings of the full torchvision models at 224x224, 2 threads
#   tests/References/run.sh mirror           proves the narrow-capable models mirror TorchVision's (names, shapes, outputs)
# Debian 12's libstdc++ lacks GLIBCXX_3.4.32, which TorchSharp's native glue asks for one symbol of
# (std::ios_base_library_init): a tiny shim provides it and the version need is marked weak. Only the build
# output's copy of the native library is patched. Needs g++, patchelf and python3 (patchelf is installed if missing).
set -e
here=$(cd "$(dirname "$0")" && pwd)
cd "$here"
command -v patchelf >/dev/null || { apt-get update -qq >/dev/null 2>&1; apt-get install -y -q patchelf >/dev/null; }
log=$(dotnet build -c Release -v q -nologo 2>&1) || { echo "$log" | grep -E "error|Error" | sort -u >&2; exit 1; }
out=bin/Release/net10.0
native=$out/runtimes/linux-x64/native
if ! patchelf --print-needed "$native/libLibTorchSharp.so" | grep -q iosshim; then
  printf '#include <ios>\nnamespace std { void ios_base_library_init() { static ios_base::Init init; } }\n' > obj/shim.cpp
  g++ -shared -fPIC -O2 -o "$here/$out/libiosshim.so" obj/shim.cpp
  patchelf --clear-symbol-version _ZSt21ios_base_library_initv "$native/libLibTorchSharp.so"
  patchelf --add-needed "$here/$out/libiosshim.so" "$native/libLibTorchSharp.so"
  python3 weakver.py "$native/libLibTorchSharp.so" GLIBCXX_3.4.32 >/dev/null
  rm -rf "$out/cpu"
fi
# libtorch prints a warning per process on CPUs NNPACK does not know; it says nothing about the results.
exec dotnet "$out/References.dll" "$@" 2> >(grep --line-buffered -v NNPACK >&2)
