# Words shared by several outputs (English).

north = N
duration_h_min = { $h } h { $m } min
duration_h = { $h } h
duration_min_s = { $m } min { $s } s
duration_min = { $m } min
duration_s = { $s } s
separator-list = {", "}
separator-clauses = {"; "}
verdict-mine = mine
verdict-following = FOLLOWING ({ $risk } risk)
verdict-risk = { $risk } risk
verdict-quiet = -
owner-separated = separated
owner-near = near owner
owner-unknown = unknown
