# Words shared by several outputs (Japanese).

north = 北
