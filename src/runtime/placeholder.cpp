namespace gslbd { int runtime_placeholder = 0; }
