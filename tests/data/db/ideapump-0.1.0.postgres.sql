--
-- PostgreSQL database dump
--


-- Dumped from database version 15.18 (Debian 15.18-0+deb12u1)
-- Dumped by pg_dump version 15.18 (Debian 15.18-0+deb12u1)

SET statement_timeout = 0;
SET lock_timeout = 0;
SET idle_in_transaction_session_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
SET check_function_bodies = false;
SET xmloption = content;
SET client_min_messages = warning;
SET row_security = off;

SET default_tablespace = '';

SET default_table_access_method = heap;

--
-- Name: api_keys; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.api_keys (
    key_id character varying(16) NOT NULL,
    name character varying(128) NOT NULL,
    library character varying(64) NOT NULL,
    key_hash character varying(64) NOT NULL,
    created_at timestamp with time zone NOT NULL,
    revoked_at timestamp with time zone
);


--
-- Name: conversations; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.conversations (
    conv_id character varying(32) NOT NULL,
    library character varying(64) NOT NULL,
    title text NOT NULL,
    created_at timestamp with time zone NOT NULL,
    updated_at timestamp with time zone NOT NULL
);


--
-- Name: documents; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.documents (
    library character varying(64) NOT NULL,
    doc_id character varying(32) NOT NULL,
    status character varying(16) NOT NULL,
    title text NOT NULL,
    authors json NOT NULL,
    year integer,
    doi character varying(256),
    kind character varying(16) NOT NULL,
    source text NOT NULL,
    sha256 character varying(64) NOT NULL,
    size_bytes integer NOT NULL,
    pages integer NOT NULL,
    chunks integer NOT NULL,
    ingested_at timestamp with time zone NOT NULL,
    "references" text NOT NULL,
    page_texts json NOT NULL,
    "table" json,
    stats json
);


--
-- Name: messages; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.messages (
    msg_id integer NOT NULL,
    conv_id character varying(32) NOT NULL,
    role character varying(16) NOT NULL,
    content text NOT NULL,
    extras json NOT NULL,
    created_at timestamp with time zone NOT NULL
);


--
-- Name: messages_msg_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.messages_msg_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: messages_msg_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.messages_msg_id_seq OWNED BY public.messages.msg_id;


--
-- Name: messages msg_id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.messages ALTER COLUMN msg_id SET DEFAULT nextval('public.messages_msg_id_seq'::regclass);


--
-- Data for Name: api_keys; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.api_keys VALUES ('7fe29639', 'legacy key', 'lab-a', 'd834d46071d49031ecb44b2752b45b3f2ed76247498fce85876d884e6a143c07', '2026-12-05 14:33:01.965176+00', NULL);


--
-- Data for Name: conversations; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.conversations VALUES ('cba2101364124bdba3a725add70b1575', 'lab-a', 'pupil ideas', '2026-12-05 14:33:01.971276+00', '2026-12-05 14:33:02.005141+00');


--
-- Data for Name: documents; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.documents VALUES ('lab-a', '0123456789abcdef0123456789abcdef', 'complete', 'A legacy paper', '["Doe J"]', 2020, NULL, 'pdf', '/papers/legacy.pdf', '0000000000000000000000000000000000000000000000000000000000000000', 10, 1, 1, '2026-11-01 00:00:00+00', '', '["Some text on page one."]', 'null', 'null');


--
-- Data for Name: messages; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.messages VALUES (1, 'cba2101364124bdba3a725add70b1575', 'user', 'Any ideas on pupil size?', '{}', '2026-12-05 14:33:01.981073+00');
INSERT INTO public.messages VALUES (2, 'cba2101364124bdba3a725add70b1575', 'assistant', 'One idea [1].', '{"citations": [{"n": 1, "doc_id": "0123456789abcdef0123456789abcdef", "title": "A legacy paper", "page": 1, "quote": "Some text on page one."}]}', '2026-12-05 14:33:02.005141+00');


--
-- Name: messages_msg_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.messages_msg_id_seq', 2, true);


--
-- Name: api_keys api_keys_key_hash_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.api_keys
    ADD CONSTRAINT api_keys_key_hash_key UNIQUE (key_hash);


--
-- Name: api_keys api_keys_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.api_keys
    ADD CONSTRAINT api_keys_pkey PRIMARY KEY (key_id);


--
-- Name: conversations conversations_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.conversations
    ADD CONSTRAINT conversations_pkey PRIMARY KEY (conv_id);


--
-- Name: documents documents_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.documents
    ADD CONSTRAINT documents_pkey PRIMARY KEY (library, doc_id);


--
-- Name: messages messages_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.messages
    ADD CONSTRAINT messages_pkey PRIMARY KEY (msg_id);


--
-- Name: ix_api_keys_library; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_api_keys_library ON public.api_keys USING btree (library);


--
-- Name: ix_conversations_library; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_conversations_library ON public.conversations USING btree (library);


--
-- Name: ix_documents_source; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_documents_source ON public.documents USING btree (source);


--
-- Name: ix_documents_status; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_documents_status ON public.documents USING btree (status);


--
-- Name: ix_messages_conv_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_messages_conv_id ON public.messages USING btree (conv_id);


--
-- Name: messages messages_conv_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.messages
    ADD CONSTRAINT messages_conv_id_fkey FOREIGN KEY (conv_id) REFERENCES public.conversations(conv_id) ON DELETE CASCADE;


--
-- PostgreSQL database dump complete
--


