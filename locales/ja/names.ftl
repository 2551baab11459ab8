# What the signature files name in English, in Japanese: `name-SLUG`, where SLUG is the English
# text in lower case with every run of other characters turned into "-" (Lang::name). Product
# names stay as they are. The English comes from signatures/, so this file has no English twin.

## Families
name-apple-find-my-airtag-airpods-iphone-third-party-find-my-tags = Apple の「探す」（AirTag、AirPods、iPhone、「探す」対応の他社製タグ）
name-chipolo = Chipolo
name-dult-tracker = DULT 準拠の追跡タグ
name-google-find-hub-find-my-device-network-tracker = Google Find Hub（旧「デバイスを探す」ネットワーク）のタグ
name-pebblebee = Pebblebee
name-samsung-galaxy-smarttag = Samsung Galaxy SmartTag
name-tile = Tile

## Models
name-airpods = AirPods
name-airtag = AirTag
name-apple-device = Apple 製品
name-find-hub-tag = Find Hub タグ
name-find-my-accessory = 「探す」対応アクセサリ
name-smarttag = SmartTag
name-smarttag-or-smarttag2-uwb = SmartTag+ または SmartTag2（UWB）

## Modes
name-setup = 初期設定中
name-unwanted-tracking-protection = 不要な追跡からの保護モード

## Networks
name-apple-find-my = Apple の「探す」
name-google-find-hub = Google Find Hub
name-unregistered-network = 未登録のネットワーク
