# Words shared by several outputs (English).

north = N
