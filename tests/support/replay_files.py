"""Dataset contents shared by the replay tests (unit and integration)."""

from __future__ import annotations

BITCOIN_HEADER = (
    "user_name,user_location,user_description,user_created,user_followers,user_friends,"
    "user_favourites,user_verified,date,text,hashtags,source,is_retweet\n"
)

_BITCOIN_ROW = "{user},Earth,bio,2009-01-03 18:15:05,{followers},10,5,False,{date},{text},['Bitcoin'],Web App,False\n"


def kaggle_bitcoin_csv(erin_followers: str) -> str:
    """A ``kaggle-bitcoin`` file with broken rows, by line: 1 the header, 2 alice, 3-4 bob (a text over
    two lines), 5 a row with too few columns, 6 dave (no followers, a date that isn't one), 7 erin
    (``erin_followers``, a date with an offset), 8 fay (no text), 9 alice's row of line 2 again."""
    row = _BITCOIN_ROW
    return (
        BITCOIN_HEADER  # 1
        + row.format(user="alice", followers="8534.0", date="2021-02-10 23:59:04", text="Buying more #Bitcoin")  # 2
        + row.format(user="bob", followers="12", date="2021-02-10 23:58:48", text='"multi\nline $eth"')  # 3-4
        + "carol,Earth,bio,missing,columns\n"  # 5
        + row.format(user="dave", followers="", date="not a date", text="doge")  # 6
        + row.format(user="erin", followers=erin_followers, date="2021-02-11T01:02:03+01:00", text="btc")  # 7
        + row.format(user="fay", followers="1", date="2021-02-10 23:59:04", text="")  # 8: no text
        + row.format(user="alice", followers="8534.0", date="2021-02-10 23:59:04", text="Buying more #Bitcoin")  # 9
    )
