--TEST--
wx_deliver_sign(): raw bytes (GBK, Latin-1, invalid UTF-8, NUL) in keys and values are hashed as given
--EXTENSIONS--
wxpay
--FILE--
<?php
// "该商品已退款" in GBK, as a legacy shop's GBK source file holds it.
$gbk = "\xb8\xc3\xc9\xcc\xc6\xb7\xd2\xd1\xcd\xcb\xbf\xee";
var_dump(wx_deliver_sign(['deliver_msg' => $gbk], 'k') === sha1("appkey=k&deliver_msg=$gbk"));
// The same text in UTF-8 gives a different signature: no transcoding happens.
$utf8 = "该商品已退款";
var_dump(wx_deliver_sign(['deliver_msg' => $utf8], 'k') === sha1("appkey=k&deliver_msg=$utf8"));
var_dump(wx_deliver_sign(['deliver_msg' => $utf8], 'k') !== wx_deliver_sign(['deliver_msg' => $gbk], 'k'));
// Latin-1 and invalid UTF-8 in keys and values; non-ASCII bytes are not lowercased.
var_dump(wx_deliver_sign(["caf\xE9" => "\xFF\xFE", "\xC0Key" => "v"], "\x80k") === sha1("appkey=\x80k&caf\xE9=\xFF\xFE&\xC0key=v"));
// NUL bytes are data, not terminators.
var_dump(wx_deliver_sign(["a\0b" => "x\0y"], "k\0k") === sha1("a\0b=x\0y&appkey=k\0k"));
?>
--EXPECT--
bool(true)
bool(true)
bool(true)
bool(true)
bool(true)
