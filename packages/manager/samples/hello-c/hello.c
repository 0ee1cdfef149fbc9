// The C sample: reads the request body from stdin and answers with its length and the body
// upper-cased. Built by `npm start` (tools/start.mjs) into target/samples/hello-c.
#include <ctype.h>
#include <stdio.h>

int main(void) {
  static char body[1 << 16];
  size_t n = fread(body, 1, sizeof body, stdin);
  for (size_t i = 0; i < n; i++) body[i] = (char)toupper((unsigned char)body[i]);
  printf("Hello from C: %zu bytes: %.*s\n", n, (int)n, body);
  return 0;
}
