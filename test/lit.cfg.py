# -*- Python -*-
# lit configuration of the dl test suite.

import os
import shutil

import lit.formats
from lit.llvm import llvm_config
from lit.llvm.subst import ToolSubst

config.name = "DL"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir", ".test", ".yaml.test"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.dl_obj_root, "test")
config.excludes = ["Inputs", "CMakeLists.txt", "lit.cfg.py",
                   "lit.site.cfg.py", "unit"]

config.environment["FILECHECK_OPTS"] = "-enable-var-scope"
config.environment["OMPI_ALLOW_RUN_AS_ROOT"] = "1"
config.environment["OMPI_ALLOW_RUN_AS_ROOT_CONFIRM"] = "1"
# The runtime's default communication timeout (10 s) is meant for a
# deployment. Here four tests at a time share two cores with compilers and
# PyTorch, so a rank can wait on a starved neighbour longer than that: the
# tests wait 60 s. Tests of the timeout set DLRT_TIMEOUT_S themselves.
config.environment["DLRT_TIMEOUT_S"] = "60"
# Sanitizer builds: OpenMPI and PMIx leak in MPI_Init (their plugins, not
# dl), so LeakSanitizer would fail every MPI program (docs/hardening.md).
# The instrumented rank programs run several times slower: a pipeline stage
# of a large model can keep its neighbour waiting longer still.
if getattr(config, "dl_sanitizer_flags", ""):
    config.environment["ASAN_OPTIONS"] = "detect_leaks=0"
    config.environment["DLRT_TIMEOUT_S"] = "300"

llvm_config.use_default_substitutions()
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)
llvm_config.with_environment("PATH", config.dl_tools_dir, append_path=True)

config.substitutions.append(("%dl_src_root", config.dl_src_root))
config.substitutions.append(("%dl_obj_root", config.dl_obj_root))
# Test oracles need Debian's numpy/torch: take precedence over the default
# %python (the interpreter running lit).
config.substitutions.insert(0, ("%python", "/usr/bin/python3"))
# Compiling emitted rank programs against this build's dlrt.
config.substitutions.append(("%host_cxx", config.host_cxx))
config.substitutions.append(
    ("%dlrt_cxxflags",
     "-std=c++17 -O2 -I{0}/include -L{1} -ldlrt -Wl,-rpath,{1} {2}".format(
         config.dl_src_root, config.dl_lib_dir,
         getattr(config, "dl_sanitizer_flags", ""))))

tools = ["dl-opt", "dl-translate"]
llvm_config.add_tool_substitutions(tools, [config.dl_tools_dir])

# Optional features.
if shutil.which("nvcc") or os.path.exists("/usr/local/cuda/bin/nvcc"):
    config.available_features.add("nvcc")
if shutil.which("nvidia-smi") and os.system("nvidia-smi -L >/dev/null 2>&1") == 0:
    config.available_features.add("cuda-gpu")
if shutil.which("mpirun"):
    config.available_features.add("mpi")
# Headless Chromium renders report.html (scripts/setup-deps.sh installs it).
if os.path.exists("/usr/bin/chromium"):
    config.available_features.add("chromium")
config.substitutions.append(
    ("%chromium", "/usr/bin/chromium --headless --no-sandbox --disable-gpu "
     "--disable-quic --no-first-run --disable-background-networking "
     "--disable-component-update --disable-sync --disable-extensions "
     "--proxy-server=127.0.0.1:9"))
# The emulation harness (bench/emulate): root, network namespaces and TAP.
if (os.geteuid() == 0 and shutil.which("nsenter") and
        os.path.exists("/dev/net/tun") and
        os.system("ip netns list >/dev/null 2>&1") == 0):
    config.available_features.add("netns")

# CUDA rank programs (dl-to-cuda). %nvcc with %cuda_cxxflags compiles an
# emitted .cu (feature nvcc); %cuda_ldflags links it against this build's
# dlrt and the CUDA libraries it found (feature dl-cuda: DL_ENABLE_CUDA,
# plus cudnn / nccl when those were found too).
nvcc = getattr(config, "dl_nvcc", "") or shutil.which("nvcc") or \
    "/usr/local/cuda/bin/nvcc"
config.substitutions.append(("%nvcc", nvcc))
config.substitutions.append(
    ("%cuda_cxxflags", "-std=c++17 -O2 -I{0}/include".format(
        config.dl_src_root)))
if getattr(config, "dl_enable_cuda", False):
    config.available_features.add("dl-cuda")
    cuda_lib = config.dl_cuda_lib_dir
    ldflags = "-L{0} -ldlrt -L{1} -lcublas".format(config.dl_lib_dir, cuda_lib)
    if config.dl_have_cudnn:
        config.available_features.add("cudnn")
        ldflags += " -lcudnn"
    else:
        ldflags += " -DDL_NO_CUDNN"
    if config.dl_have_nccl:
        config.available_features.add("nccl")
        ldflags += " -DDL_USE_NCCL -ldlrt_nccl -lnccl"
    ldflags += " -Xlinker -rpath,{0} -Xlinker -rpath,{1}".format(
        config.dl_lib_dir, cuda_lib)
    if getattr(config, "dl_sanitizer_flags", ""):
        # The instrumented dlrt needs clang's sanitizer runtime, which nvcc
        # (host compiler g++) does not link: link the shared ASan runtime
        # (it holds the UBSan handlers too) as the first library.
        import subprocess
        asan_rt = subprocess.check_output(
            [config.host_cxx, "-print-file-name=libclang_rt.asan-x86_64.so"],
            text=True).strip()
        ldflags += " -Xlinker {0} -Xlinker -rpath,{1}".format(
            asan_rt, os.path.dirname(asan_rt))
    config.substitutions.append(("%cuda_ldflags", ldflags))
