# Words shared by several outputs (Japanese).

north = 北
duration_h_min = { $h }時間{ $m }分
duration_min = { $m }分
duration_s = { $s }秒
separator-list = 、
separator-clauses = 、
