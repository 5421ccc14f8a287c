#include <cstdio>
int main() { std::puts("gslbd 0.1.0"); return 0; }
