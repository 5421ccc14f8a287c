namespace gslbd { int query_placeholder = 0; }
