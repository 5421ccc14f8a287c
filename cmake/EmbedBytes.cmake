# SPDX-License-Identifier: Apache-2.0
# cmake -DINPUT=file -DOUTPUT=file.cpp -DNAMESPACE=ns -P EmbedBytes.cmake
# Writes a C++ file defining NAMESPACE::kObject (INPUT's bytes) and NAMESPACE::kObjectSize.
file(READ ${INPUT} hex HEX)
string(LENGTH "${hex}" hex_length)
math(EXPR size "${hex_length} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
string(REGEX REPLACE "((0x[0-9a-f][0-9a-f],){16})" "\\1\n" bytes "${bytes}")
file(WRITE ${OUTPUT}.tmp
     "// Generated from ${INPUT} by cmake/EmbedBytes.cmake; do not edit.\n"
     "#include <cstddef>\n\nnamespace ${NAMESPACE} {\n\n"
     "extern const unsigned char kObject[];\nextern const std::size_t kObjectSize;\n"
     "alignas(8) const unsigned char kObject[] = {\n${bytes}\n};\n"
     "const std::size_t kObjectSize = ${size};\n\n}  // namespace ${NAMESPACE}\n")
file(RENAME ${OUTPUT}.tmp ${OUTPUT})
