# CMake toolchain file for bare-metal Cortex-M with Debian's gcc-arm-none-eabi and newlib:
#   cmake -S examples/cortex-m -B fw --toolchain $PWD/examples/cortex-m/arm-none-eabi.cmake \
#         -DQCC_CM_TARGET=cortex-m4 -DQCC_CM_MODEL=kws.tflite -Dqcc_DIR=<prefix>/lib/cmake/qcc
# QCC_CM_TARGET (cortex-m4, cortex-m7, cortex-m55) picks the CPU flags.
set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR arm)
set(CMAKE_C_COMPILER arm-none-eabi-gcc)
set(CMAKE_CXX_COMPILER arm-none-eabi-g++)
set(CMAKE_ASM_COMPILER arm-none-eabi-gcc)
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE NEVER) # qcc's package is the build machine's

if(NOT QCC_CM_TARGET)
  set(QCC_CM_TARGET cortex-m4)
endif()
list(APPEND CMAKE_TRY_COMPILE_PLATFORM_VARIABLES QCC_CM_TARGET)
if(QCC_CM_TARGET STREQUAL "cortex-m4")
  set(cpu_flags "-mcpu=cortex-m4 -mfpu=fpv4-sp-d16")
elseif(QCC_CM_TARGET STREQUAL "cortex-m7")
  set(cpu_flags "-mcpu=cortex-m7 -mfpu=fpv5-d16")
elseif(QCC_CM_TARGET STREQUAL "cortex-m55")
  set(cpu_flags "-mcpu=cortex-m55")
else()
  message(FATAL_ERROR "QCC_CM_TARGET: '${QCC_CM_TARGET}' is not cortex-m4, cortex-m7 or cortex-m55")
endif()
set(CMAKE_C_FLAGS_INIT "${cpu_flags} -mthumb -mfloat-abi=hard -ffunction-sections -fdata-sections")
set(CMAKE_EXE_LINKER_FLAGS_INIT "-nostartfiles --specs=nano.specs -Wl,--gc-sections -Wl,--no-warn-execstack")
