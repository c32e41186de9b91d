"""What WeChat Official Accounts and WeCom share: callback crypto and safe XML, message mapping, access tokens and the
JSON API client. The two platforms come from the same Tencent stack, so one implementation serves both channels.
This is a library of the `wechat` and `wecom` channels, not a channel of its own (it is not in the registry)."""
