# ink_options: warnings (and optional sanitizers) for every target.
add_library(ink_options INTERFACE)
target_compile_options(ink_options INTERFACE
  -Wall -Wextra -Wshadow -Wpointer-arith -Wstrict-prototypes
  -Wno-unused-parameter -D_GNU_SOURCE)
if(INK_WERROR)
  target_compile_options(ink_options INTERFACE -Werror)
endif()
if(INK_SANITIZE)
  target_compile_options(ink_options INTERFACE
    -fsanitize=address,undefined -fno-omit-frame-pointer
    -fno-sanitize-recover=undefined)
  target_link_options(ink_options INTERFACE -fsanitize=address,undefined)
endif()
