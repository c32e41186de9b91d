"""What WeChat Official Accounts and WeCom share: callback crypto and safe XML, message mapping, access tokens and the
JSON API client. The two platforms come from the same Tencent stack, so one implementation serves both channels."""
