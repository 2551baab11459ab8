# Words shared by several outputs (Japanese).

north = 北
duration_h_min = { $h }時間{ $m }分
duration_h = { $h }時間
duration_min_s = { $m }分{ $s }秒
duration_min = { $m }分
duration_s = { $s }秒
separator-list = 、
separator-clauses = 、
verdict-mine = 自分の物
verdict-following = 追跡中（危険度 { $risk }）
verdict-risk = 危険度 { $risk }
verdict-quiet = -
owner-separated = 離れている
owner-near = 所有者の近く
owner-unknown = 不明
