# Writes the bytes of IN as a C++ array into OUT (cmake -DIN=... -DOUT=... -P embed.cmake).
file(READ ${IN} hex HEX)
string(LENGTH "${hex}" len)
math(EXPR size "${len} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
string(REGEX REPLACE "(0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,)" "\\1\n    " bytes "${bytes}")
file(WRITE ${OUT} "// Generated from the trampoline program by embed.cmake; do not edit.\n"
  "#include <cstddef>\n#include <cstdint>\n"
  "namespace ferry::runtime {\n"
  "extern const uint8_t k_trampoline[];\nextern const size_t k_trampoline_size;\n"
  "const uint8_t k_trampoline[] = {\n    ${bytes}\n};\n"
  "const size_t k_trampoline_size = ${size};\n}\n")
