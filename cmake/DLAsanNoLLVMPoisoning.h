/*===- DLAsanNoLLVMPoisoning.h - sanitizer builds against prebuilt LLVM --===*\
|*                                                                            *|
|* Force-included into every translation unit of a sanitizer build           *|
|* (cmake/DLSanitizers.cmake).                                               *|
|*                                                                            *|
|* LLVM's BumpPtrAllocator (llvm/Support/Allocator.h) poisons a new slab and *|
|* unpoisons each allocation when the including code is built with ASan. The *|
|* MLIR shared library this project links is not instrumented: a slab that   *|
|* our inlined header code started (and poisoned) is later handed out by the *|
|* library's uninstrumented copy of the allocator without unpoisoning, and   *|
|* ASan reports a use-after-poison where there is none (seen in MLIR's       *|
|* StringAttr and DenseArrayAttr uniquing). With both sides agreeing not to  *|
|* poison, real heap errors are still found by ASan's own allocator.         *|
\*===----------------------------------------------------------------------===*/

#ifndef DL_ASAN_NO_LLVM_POISONING_H
#define DL_ASAN_NO_LLVM_POISONING_H
#if defined(__has_include)
#if __has_include(<sanitizer/asan_interface.h>)
#include <sanitizer/asan_interface.h>
#define __asan_poison_memory_region(p, size) ((void)(p), (void)(size))
#define __asan_unpoison_memory_region(p, size) ((void)(p), (void)(size))
#endif
#endif
#endif
