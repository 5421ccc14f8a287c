namespace gslbd { int server_placeholder = 0; }
