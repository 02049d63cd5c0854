PRAGMA foreign_keys=OFF;
BEGIN TRANSACTION;
CREATE TABLE documents (
	library VARCHAR(64) NOT NULL, 
	doc_id VARCHAR(32) NOT NULL, 
	status VARCHAR(16) NOT NULL, 
	title TEXT NOT NULL, 
	authors JSON NOT NULL, 
	year INTEGER, 
	doi VARCHAR(256), 
	kind VARCHAR(16) NOT NULL, 
	source TEXT NOT NULL, 
	sha256 VARCHAR(64) NOT NULL, 
	size_bytes INTEGER NOT NULL, 
	pages INTEGER NOT NULL, 
	chunks INTEGER NOT NULL, 
	ingested_at DATETIME NOT NULL, 
	"references" TEXT NOT NULL, 
	page_texts JSON NOT NULL, 
	"table" JSON, 
	stats JSON, 
	PRIMARY KEY (library, doc_id)
);
INSERT INTO documents VALUES('lab-a','0123456789abcdef0123456789abcdef','complete','A legacy paper','["Doe J"]',2020,NULL,'pdf','/papers/legacy.pdf','0000000000000000000000000000000000000000000000000000000000000000',10,1,1,'2026-11-01 00:00:00.000000','','["Some text on page one."]','null','null');
CREATE TABLE api_keys (
	key_id VARCHAR(16) NOT NULL, 
	name VARCHAR(128) NOT NULL, 
	library VARCHAR(64) NOT NULL, 
	key_hash VARCHAR(64) NOT NULL, 
	created_at DATETIME NOT NULL, 
	revoked_at DATETIME, 
	PRIMARY KEY (key_id), 
	UNIQUE (key_hash)
);
INSERT INTO api_keys VALUES('442929af','legacy key','lab-a','598c7033174ed38d7f80428ce754a8ec25e36bfee7df7ffd1fc1a36f83a32d7e','2026-12-05 14:32:36.107246',NULL);
CREATE TABLE conversations (
	conv_id VARCHAR(32) NOT NULL, 
	library VARCHAR(64) NOT NULL, 
	title TEXT NOT NULL, 
	created_at DATETIME NOT NULL, 
	updated_at DATETIME NOT NULL, 
	PRIMARY KEY (conv_id)
);
INSERT INTO conversations VALUES('0f6644a089104f7697477dcc232efe1a','lab-a','pupil ideas','2026-12-05 14:32:36.113964','2026-12-05 14:32:42.404238');
CREATE TABLE messages (
	msg_id INTEGER NOT NULL, 
	conv_id VARCHAR(32) NOT NULL, 
	role VARCHAR(16) NOT NULL, 
	content TEXT NOT NULL, 
	extras JSON NOT NULL, 
	created_at DATETIME NOT NULL, 
	PRIMARY KEY (msg_id), 
	FOREIGN KEY(conv_id) REFERENCES conversations (conv_id) ON DELETE CASCADE
);
INSERT INTO messages VALUES(1,'0f6644a089104f7697477dcc232efe1a','user','Any ideas on pupil size?','{}','2026-12-05 14:32:42.401215');
INSERT INTO messages VALUES(2,'0f6644a089104f7697477dcc232efe1a','assistant','One idea [1].','{"citations": [{"n": 1, "doc_id": "0123456789abcdef0123456789abcdef", "title": "A legacy paper", "page": 1, "quote": "Some text on page one."}]}','2026-12-05 14:32:42.404238');
CREATE INDEX ix_documents_source ON documents (source);
CREATE INDEX ix_documents_status ON documents (status);
CREATE INDEX ix_api_keys_library ON api_keys (library);
CREATE INDEX ix_conversations_library ON conversations (library);
CREATE INDEX ix_messages_conv_id ON messages (conv_id);
COMMIT;
