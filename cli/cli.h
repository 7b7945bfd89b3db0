/*
 * Subcommands that live in their own files.
 */
#ifndef INK_CLI_H
#define INK_CLI_H

#include <stdbool.h>

#define INK_VERSION "0.1.0"

/* annotate.c */
int ink_cli_annotate(const char *path, bool jsonl);

/* demo.c */
int ink_cli_demo(int argc, char **argv);

#endif /* INK_CLI_H */
