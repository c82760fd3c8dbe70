# CUDA support of dl: the nvcc compiler and the cuBLAS, cuDNN and NCCL
# libraries that the CUDA rank programs (dl-to-cuda) are built with.
#
# DL_ENABLE_CUDA defaults to ON only when nvcc, the CUDA runtime and cuBLAS
# are found. cuDNN and NCCL are optional on top (DL_HAVE_CUDNN,
# DL_HAVE_NCCL): without cuDNN the programs use their own kernels, without
# NCCL all communication goes through host staging and MPI.

find_program(DL_NVCC_EXECUTABLE nvcc
  HINTS ENV CUDA_HOME ENV CUDA_PATH /usr/local/cuda
  PATH_SUFFIXES bin)
if(DL_NVCC_EXECUTABLE AND NOT CUDAToolkit_ROOT)
  get_filename_component(_dl_cuda_root "${DL_NVCC_EXECUTABLE}" DIRECTORY)
  get_filename_component(_dl_cuda_root "${_dl_cuda_root}" DIRECTORY)
  set(CUDAToolkit_ROOT "${_dl_cuda_root}")
endif()
find_package(CUDAToolkit QUIET)

set(_dl_cuda_default OFF)
if(DL_NVCC_EXECUTABLE AND CUDAToolkit_FOUND AND TARGET CUDA::cublas)
  set(_dl_cuda_default ON)
endif()
option(DL_ENABLE_CUDA
  "Build GPU ranks as CUDA programs (needs nvcc, the CUDA runtime, cuBLAS)"
  ${_dl_cuda_default})

set(DL_HAVE_CUDNN OFF)
set(DL_HAVE_NCCL OFF)
set(DL_CUDA_LIBRARY_DIR "")
if(DL_ENABLE_CUDA)
  if(NOT (DL_NVCC_EXECUTABLE AND CUDAToolkit_FOUND AND TARGET CUDA::cublas))
    message(FATAL_ERROR "DL_ENABLE_CUDA is ON but nvcc, the CUDA toolkit or "
                        "cuBLAS was not found (set CUDAToolkit_ROOT)")
  endif()
  set(DL_CUDA_LIBRARY_DIR "${CUDAToolkit_LIBRARY_DIR}")
  find_path(DL_CUDNN_INCLUDE_DIR cudnn.h HINTS ${CUDAToolkit_INCLUDE_DIRS})
  find_library(DL_CUDNN_LIBRARY cudnn HINTS ${CUDAToolkit_LIBRARY_DIR})
  if(DL_CUDNN_INCLUDE_DIR AND DL_CUDNN_LIBRARY)
    set(DL_HAVE_CUDNN ON)
  endif()
  find_path(DL_NCCL_INCLUDE_DIR nccl.h HINTS ${CUDAToolkit_INCLUDE_DIRS})
  find_library(DL_NCCL_LIBRARY nccl HINTS ${CUDAToolkit_LIBRARY_DIR})
  if(DL_NCCL_INCLUDE_DIR AND DL_NCCL_LIBRARY)
    set(DL_HAVE_NCCL ON)
  endif()
  message(STATUS "dl CUDA: nvcc ${DL_NVCC_EXECUTABLE}, cuDNN ${DL_HAVE_CUDNN}"
                 ", NCCL ${DL_HAVE_NCCL}")
else()
  message(STATUS "dl CUDA: disabled (GPU ranks are built as C++ programs)")
endif()
