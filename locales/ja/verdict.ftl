# Why a verdict is what it is (Japanese): `reason-CODE` for each code of correlate::Reason.

reason-seen_at_places = { $with_you }のあいだに { $places } か所{ $details }で検知、場所同士は最大 { $distance } 離れている
reason-details = （{ $details }）
reason-stays = { $stay }以上の滞在 { $n } 回
reason-seen_without_location = { $with_you }のあいだ近くで検知。位置情報がないため、一緒に移動していたかは確認できていません
reason-separated_from_owner = 所有者から離れている
reason-owner_unknown = 所有者が近くにいるかどうかを発信しない機種
reason-not_flagged_near_owner = 所有者の近くにある（所有者のスマートフォンが近い）ため警告しません
reason-apple_device_high_sensitivity_only = 「探す」モードの iPhone・iPad・Mac：感度「高」のときだけ警告します
reason-new_key_every_advertisement = 電波ごとに新しい鍵を使う（鍵 { $keys } 個）：トラッカー検出を逃れるための作り
reason-following = 追跡の疑い：最初の検知から { $after }後に警告
reason-marked_own = 本人の物として登録済み（{ $how }）のため警告しません
own-via-file = 許可リスト { $file } の { $line } 行目
own-via-line = 許可リストの { $line } 行目
own-via-live = ライブ画面の m キー
reason-heard_on_days = { $n } 日間、近くで検知（{ $dates }）{ $following ->
        [0] {""}
       *[other] 、うち { $following } 日は追跡
    }
own-via-earlier = 以前の日に自分の物として登録した { $id } と同じタグ
reason-decided_by = 判断の根拠：{ $evidence }
evidence-stays = 滞在先 { $stays } か所で検知
evidence-after_ride = { $distance } の移動のあとも { $after }一緒にいる（途切れずに検知）
evidence-places = 立ち止まるか歩いているあいだに { $places } か所で合計 { $stopped }一緒にいた
evidence-journeys = { $journeys } 回続けて滞在先から一緒に出発し、次の滞在先に一緒に着いた（毎回、前回の到着地から出発）
evidence-long_ride = 一続きの乗車中だけだが { $with_you }と長い
evidence-time_only = { $with_you }一緒にいた

# 識別子の規則で分かったこと（コード "identity" の理由）。
identity-linked = { $n } 個の識別子は 1 台のタグのもの：{ $how }
identity-by-aging-counter = SmartTag と同じように経過カウンターが続いて増えていた
identity-by-address-ephemeral-id = 一時 ID が変わってもアドレスが変わらなかった
identity-by-address-service-data = サービスデータ内の識別子が変わってもアドレスが変わらなかった
identity-by-within-seconds = 新しいアドレスが前のものから数秒以内に現れ、状態バイトも電波の強さも同じだった
identity-by-daily-change = 新しい鍵が毎日 4 時の切り替わりで、同じ場所、同じ状態バイトのまま現れた
identity-ambiguous = 新しい識別子で、以前の { $n } 台のどれが切り替わったものとも考えられ、どれとも決められません：別のタグとして扱っていますが、そのどれかと同じタグかもしれません
identity-heard-again = この項目にまとめた識別子が、次の識別子に切り替わった後にも受信されました：それ以前の検知には 2 台のタグが含まれている可能性があります
identity-split-from = 次の識別子に切り替わったとみなした後にも受信されたため、その時点から別のタグとして扱っています（{ $entry } を参照）
