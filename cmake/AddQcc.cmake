# Helpers shared by qcc's CMake files.
#
# add_qcc_library(name sources... [DEPENDS targets] [LINK_LIBS libs])
# A thin wrapper over add_mlir_library so that every qcc component is built the same way.
# LLVM itself comes in through the MLIR libraries (Debian links them to libLLVM.so): never link
# LLVM component libraries here (see docs/TOOLCHAIN.md, "registered more than once").
function(add_qcc_library name)
  add_mlir_library(${name} ${ARGN} DISABLE_INSTALL)
endfunction()
