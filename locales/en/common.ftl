# Words shared by several outputs (English).

north = N
duration_h_min = { $h } h { $m } min
duration_min = { $m } min
duration_s = { $s } s
separator-list = {", "}
separator-clauses = {"; "}
