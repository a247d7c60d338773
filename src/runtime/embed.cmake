# Writes the bytes of IN as a C++ array named k_NAME (and k_NAME_size) into OUT:
#   cmake -DIN=... -DOUT=... -DNAME=... -P embed.cmake
file(READ ${IN} hex HEX)
file(SHA256 ${IN} digest)
string(SUBSTRING ${digest} 0 12 short)
string(LENGTH "${hex}" len)
math(EXPR size "${len} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
string(REGEX REPLACE "(0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,)" "\\1\n    " bytes "${bytes}")
file(WRITE ${OUT} "// Generated from the ${NAME} program by embed.cmake; do not edit.\n"
  "#include <cstddef>\n#include <cstdint>\n"
  "namespace ferry::runtime {\n"
  "extern const uint8_t k_${NAME}[];\nextern const size_t k_${NAME}_size;\n"
  "extern const char k_${NAME}_hash[];\nconst char k_${NAME}_hash[] = \"${short}\";\n"
  "const uint8_t k_${NAME}[] = {\n    ${bytes}\n};\n"
  "const size_t k_${NAME}_size = ${size};\n}\n")
