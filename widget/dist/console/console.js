var ce=Object.defineProperty;var he=(r,t,e)=>t in r?ce(r,t,{enumerable:!0,configurable:!0,writable:!0,value:e}):r[t]=e;var j=(r,t,e)=>he(r,typeof t!="symbol"?t+"":t,e);var G=globalThis,Z=G.ShadowRoot&&(G.ShadyCSS===void 0||G.ShadyCSS.nativeShadow)&&"adoptedStyleSheets"in Document.prototype&&"replace"in CSSStyleSheet.prototype,rt=Symbol(),Tt=new WeakMap,P=class{constructor(t,e,s){if(this._$cssResult$=!0,s!==rt)throw Error("CSSResult is not constructable. Use `unsafeCSS` or `css` instead.");this.cssText=t,this.t=e}get styleSheet(){let t=this.o,e=this.t;if(Z&&t===void 0){let s=e!==void 0&&e.length===1;s&&(t=Tt.get(e)),t===void 0&&((this.o=t=new CSSStyleSheet).replaceSync(this.cssText),s&&Tt.set(e,t))}return t}toString(){return this.cssText}},Ct=r=>new P(typeof r=="string"?r:r+"",void 0,rt),D=(r,...t)=>{let e=r.length===1?r[0]:t.reduce((s,i,a)=>s+(o=>{if(o._$cssResult$===!0)return o.cssText;if(typeof o=="number")return o;throw Error("Value passed to 'css' function must be a 'css' function result: "+o+". Use 'unsafeCSS' to pass non-literal values, but take care to ensure page security.")})(i)+r[a+1],r[0]);return new P(e,r,rt)},Nt=(r,t)=>{if(Z)r.adoptedStyleSheets=t.map(e=>e instanceof CSSStyleSheet?e:e.styleSheet);else for(let e of t){let s=document.createElement("style"),i=G.litNonce;i!==void 0&&s.setAttribute("nonce",i),s.textContent=e.cssText,r.appendChild(s)}},ot=Z?r=>r:r=>r instanceof CSSStyleSheet?(t=>{let e="";for(let s of t.cssRules)e+=s.cssText;return Ct(e)})(r):r;var{is:pe,defineProperty:ue,getOwnPropertyDescriptor:fe,getOwnPropertyNames:me,getOwnPropertySymbols:ge,getPrototypeOf:be}=Object,Y=globalThis,jt=Y.trustedTypes,$e=jt?jt.emptyScript:"",ve=Y.reactiveElementPolyfillSupport,R=(r,t)=>r,nt={toAttribute(r,t){switch(t){case Boolean:r=r?$e:null;break;case Object:case Array:r=r==null?r:JSON.stringify(r)}return r},fromAttribute(r,t){let e=r;switch(t){case Boolean:e=r!==null;break;case Number:e=r===null?null:Number(r);break;case Object:case Array:try{e=JSON.parse(r)}catch{e=null}}return e}},It=(r,t)=>!pe(r,t),Ot={attribute:!0,type:String,converter:nt,reflect:!1,useDefault:!1,hasChanged:It};Symbol.metadata??=Symbol("metadata"),Y.litPropertyMetadata??=new WeakMap;var y=class extends HTMLElement{static addInitializer(t){this._$Ei(),(this.l??=[]).push(t)}static get observedAttributes(){return this.finalize(),this._$Eh&&[...this._$Eh.keys()]}static createProperty(t,e=Ot){if(e.state&&(e.attribute=!1),this._$Ei(),this.prototype.hasOwnProperty(t)&&((e=Object.create(e)).wrapped=!0),this.elementProperties.set(t,e),!e.noAccessor){let s=Symbol(),i=this.getPropertyDescriptor(t,s,e);i!==void 0&&ue(this.prototype,t,i)}}static getPropertyDescriptor(t,e,s){let{get:i,set:a}=fe(this.prototype,t)??{get(){return this[e]},set(o){this[e]=o}};return{get:i,set(o){let l=i?.call(this);a?.call(this,o),this.requestUpdate(t,l,s)},configurable:!0,enumerable:!0}}static getPropertyOptions(t){return this.elementProperties.get(t)??Ot}static _$Ei(){if(this.hasOwnProperty(R("elementProperties")))return;let t=be(this);t.finalize(),t.l!==void 0&&(this.l=[...t.l]),this.elementProperties=new Map(t.elementProperties)}static finalize(){if(this.hasOwnProperty(R("finalized")))return;if(this.finalized=!0,this._$Ei(),this.hasOwnProperty(R("properties"))){let e=this.properties,s=[...me(e),...ge(e)];for(let i of s)this.createProperty(i,e[i])}let t=this[Symbol.metadata];if(t!==null){let e=litPropertyMetadata.get(t);if(e!==void 0)for(let[s,i]of e)this.elementProperties.set(s,i)}this._$Eh=new Map;for(let[e,s]of this.elementProperties){let i=this._$Eu(e,s);i!==void 0&&this._$Eh.set(i,e)}this.elementStyles=this.finalizeStyles(this.styles)}static finalizeStyles(t){let e=[];if(Array.isArray(t)){let s=new Set(t.flat(1/0).reverse());for(let i of s)e.unshift(ot(i))}else t!==void 0&&e.push(ot(t));return e}static _$Eu(t,e){let s=e.attribute;return s===!1?void 0:typeof s=="string"?s:typeof t=="string"?t.toLowerCase():void 0}constructor(){super(),this._$Ep=void 0,this.isUpdatePending=!1,this.hasUpdated=!1,this._$Em=null,this._$Ev()}_$Ev(){this._$ES=new Promise(t=>this.enableUpdating=t),this._$AL=new Map,this._$E_(),this.requestUpdate(),this.constructor.l?.forEach(t=>t(this))}addController(t){(this._$EO??=new Set).add(t),this.renderRoot!==void 0&&this.isConnected&&t.hostConnected?.()}removeController(t){this._$EO?.delete(t)}_$E_(){let t=new Map,e=this.constructor.elementProperties;for(let s of e.keys())this.hasOwnProperty(s)&&(t.set(s,this[s]),delete this[s]);t.size>0&&(this._$Ep=t)}createRenderRoot(){let t=this.shadowRoot??this.attachShadow(this.constructor.shadowRootOptions);return Nt(t,this.constructor.elementStyles),t}connectedCallback(){this.renderRoot??=this.createRenderRoot(),this.enableUpdating(!0),this._$EO?.forEach(t=>t.hostConnected?.())}enableUpdating(t){}disconnectedCallback(){this._$EO?.forEach(t=>t.hostDisconnected?.())}attributeChangedCallback(t,e,s){this._$AK(t,s)}_$ET(t,e){let s=this.constructor.elementProperties.get(t),i=this.constructor._$Eu(t,s);if(i!==void 0&&s.reflect===!0){let a=(s.converter?.toAttribute!==void 0?s.converter:nt).toAttribute(e,s.type);this._$Em=t,a==null?this.removeAttribute(i):this.setAttribute(i,a),this._$Em=null}}_$AK(t,e){let s=this.constructor,i=s._$Eh.get(t);if(i!==void 0&&this._$Em!==i){let a=s.getPropertyOptions(i),o=typeof a.converter=="function"?{fromAttribute:a.converter}:a.converter?.fromAttribute!==void 0?a.converter:nt;this._$Em=i;let l=o.fromAttribute(e,a.type);this[i]=l??this._$Ej?.get(i)??l,this._$Em=null}}requestUpdate(t,e,s,i=!1,a){if(t!==void 0){let o=this.constructor;if(i===!1&&(a=this[t]),s??=o.getPropertyOptions(t),!((s.hasChanged??It)(a,e)||s.useDefault&&s.reflect&&a===this._$Ej?.get(t)&&!this.hasAttribute(o._$Eu(t,s))))return;this.C(t,e,s)}this.isUpdatePending===!1&&(this._$ES=this._$EP())}C(t,e,{useDefault:s,reflect:i,wrapped:a},o){s&&!(this._$Ej??=new Map).has(t)&&(this._$Ej.set(t,o??e??this[t]),a!==!0||o!==void 0)||(this._$AL.has(t)||(this.hasUpdated||s||(e=void 0),this._$AL.set(t,e)),i===!0&&this._$Em!==t&&(this._$Eq??=new Set).add(t))}async _$EP(){this.isUpdatePending=!0;try{await this._$ES}catch(e){Promise.reject(e)}let t=this.scheduleUpdate();return t!=null&&await t,!this.isUpdatePending}scheduleUpdate(){return this.performUpdate()}performUpdate(){if(!this.isUpdatePending)return;if(!this.hasUpdated){if(this.renderRoot??=this.createRenderRoot(),this._$Ep){for(let[i,a]of this._$Ep)this[i]=a;this._$Ep=void 0}let s=this.constructor.elementProperties;if(s.size>0)for(let[i,a]of s){let{wrapped:o}=a,l=this[i];o!==!0||this._$AL.has(i)||l===void 0||this.C(i,void 0,a,l)}}let t=!1,e=this._$AL;try{t=this.shouldUpdate(e),t?(this.willUpdate(e),this._$EO?.forEach(s=>s.hostUpdate?.()),this.update(e)):this._$EM()}catch(s){throw t=!1,this._$EM(),s}t&&this._$AE(e)}willUpdate(t){}_$AE(t){this._$EO?.forEach(e=>e.hostUpdated?.()),this.hasUpdated||(this.hasUpdated=!0,this.firstUpdated(t)),this.updated(t)}_$EM(){this._$AL=new Map,this.isUpdatePending=!1}get updateComplete(){return this.getUpdateComplete()}getUpdateComplete(){return this._$ES}shouldUpdate(t){return!0}update(t){this._$Eq&&=this._$Eq.forEach(e=>this._$ET(e,this[e])),this._$EM()}updated(t){}firstUpdated(t){}};y.elementStyles=[],y.shadowRootOptions={mode:"open"},y[R("elementProperties")]=new Map,y[R("finalized")]=new Map,ve?.({ReactiveElement:y}),(Y.reactiveElementVersions??=[]).push("2.1.2");var ft=globalThis,Mt=r=>r,Q=ft.trustedTypes,Pt=Q?Q.createPolicy("lit-html",{createHTML:r=>r}):void 0,Ut="$lit$",w=`lit$${Math.random().toFixed(9).slice(2)}$`,Ht="?"+w,_e=`<${Ht}>`,A=document,L=()=>A.createComment(""),B=r=>r===null||typeof r!="object"&&typeof r!="function",mt=Array.isArray,ye=r=>mt(r)||typeof r?.[Symbol.iterator]=="function",lt=`[ 	
\f\r]`,z=/<(?:(!--|\/[^a-zA-Z])|(\/?[a-zA-Z][^>\s]*)|(\/?$))/g,Dt=/-->/g,Rt=/>/g,k=RegExp(`>|${lt}(?:([^\\s"'>=/]+)(${lt}*=${lt}*(?:[^ 	
\f\r"'\`<>=]|("|')|))|$)`,"g"),zt=/'/g,Lt=/"/g,qt=/^(?:script|style|textarea|title)$/i,gt=r=>(t,...e)=>({_$litType$:r,strings:t,values:e}),n=gt(1),bt=gt(2),Ze=gt(3),E=Symbol.for("lit-noChange"),d=Symbol.for("lit-nothing"),Bt=new WeakMap,S=A.createTreeWalker(A,129);function Ft(r,t){if(!mt(r)||!r.hasOwnProperty("raw"))throw Error("invalid template strings array");return Pt!==void 0?Pt.createHTML(t):t}var we=(r,t)=>{let e=r.length-1,s=[],i,a=t===2?"<svg>":t===3?"<math>":"",o=z;for(let l=0;l<e;l++){let h=r[l],c,u,p=-1,f=0;for(;f<h.length&&(o.lastIndex=f,u=o.exec(h),u!==null);)f=o.lastIndex,o===z?u[1]==="!--"?o=Dt:u[1]!==void 0?o=Rt:u[2]!==void 0?(qt.test(u[2])&&(i=RegExp("</"+u[2],"g")),o=k):u[3]!==void 0&&(o=k):o===k?u[0]===">"?(o=i??z,p=-1):u[1]===void 0?p=-2:(p=o.lastIndex-u[2].length,c=u[1],o=u[3]===void 0?k:u[3]==='"'?Lt:zt):o===Lt||o===zt?o=k:o===Dt||o===Rt?o=z:(o=k,i=void 0);let b=o===k&&r[l+1].startsWith("/>")?" ":"";a+=o===z?h+_e:p>=0?(s.push(c),h.slice(0,p)+Ut+h.slice(p)+w+b):h+w+(p===-2?l:b)}return[Ft(r,a+(r[e]||"<?>")+(t===2?"</svg>":t===3?"</math>":"")),s]},U=class r{constructor({strings:t,_$litType$:e},s){let i;this.parts=[];let a=0,o=0,l=t.length-1,h=this.parts,[c,u]=we(t,e);if(this.el=r.createElement(c,s),S.currentNode=this.el.content,e===2||e===3){let p=this.el.content.firstChild;p.replaceWith(...p.childNodes)}for(;(i=S.nextNode())!==null&&h.length<l;){if(i.nodeType===1){if(i.hasAttributes())for(let p of i.getAttributeNames())if(p.endsWith(Ut)){let f=u[o++],b=i.getAttribute(p).split(w),$=/([.?@])?(.*)/.exec(f);h.push({type:1,index:a,name:$[2],strings:b,ctor:$[1]==="."?ct:$[1]==="?"?ht:$[1]==="@"?pt:I}),i.removeAttribute(p)}else p.startsWith(w)&&(h.push({type:6,index:a}),i.removeAttribute(p));if(qt.test(i.tagName)){let p=i.textContent.split(w),f=p.length-1;if(f>0){i.textContent=Q?Q.emptyScript:"";for(let b=0;b<f;b++)i.append(p[b],L()),S.nextNode(),h.push({type:2,index:++a});i.append(p[f],L())}}}else if(i.nodeType===8)if(i.data===Ht)h.push({type:2,index:a});else{let p=-1;for(;(p=i.data.indexOf(w,p+1))!==-1;)h.push({type:7,index:a}),p+=w.length-1}a++}}static createElement(t,e){let s=A.createElement("template");return s.innerHTML=t,s}};function O(r,t,e=r,s){if(t===E)return t;let i=s!==void 0?e._$Co?.[s]:e._$Cl,a=B(t)?void 0:t._$litDirective$;return i?.constructor!==a&&(i?._$AO?.(!1),a===void 0?i=void 0:(i=new a(r),i._$AT(r,e,s)),s!==void 0?(e._$Co??=[])[s]=i:e._$Cl=i),i!==void 0&&(t=O(r,i._$AS(r,t.values),i,s)),t}var dt=class{constructor(t,e){this._$AV=[],this._$AN=void 0,this._$AD=t,this._$AM=e}get parentNode(){return this._$AM.parentNode}get _$AU(){return this._$AM._$AU}u(t){let{el:{content:e},parts:s}=this._$AD,i=(t?.creationScope??A).importNode(e,!0);S.currentNode=i;let a=S.nextNode(),o=0,l=0,h=s[0];for(;h!==void 0;){if(o===h.index){let c;h.type===2?c=new H(a,a.nextSibling,this,t):h.type===1?c=new h.ctor(a,h.name,h.strings,this,t):h.type===6&&(c=new ut(a,this,t)),this._$AV.push(c),h=s[++l]}o!==h?.index&&(a=S.nextNode(),o++)}return S.currentNode=A,i}p(t){let e=0;for(let s of this._$AV)s!==void 0&&(s.strings!==void 0?(s._$AI(t,s,e),e+=s.strings.length-2):s._$AI(t[e])),e++}},H=class r{get _$AU(){return this._$AM?._$AU??this._$Cv}constructor(t,e,s,i){this.type=2,this._$AH=d,this._$AN=void 0,this._$AA=t,this._$AB=e,this._$AM=s,this.options=i,this._$Cv=i?.isConnected??!0}get parentNode(){let t=this._$AA.parentNode,e=this._$AM;return e!==void 0&&t?.nodeType===11&&(t=e.parentNode),t}get startNode(){return this._$AA}get endNode(){return this._$AB}_$AI(t,e=this){t=O(this,t,e),B(t)?t===d||t==null||t===""?(this._$AH!==d&&this._$AR(),this._$AH=d):t!==this._$AH&&t!==E&&this._(t):t._$litType$!==void 0?this.$(t):t.nodeType!==void 0?this.T(t):ye(t)?this.k(t):this._(t)}O(t){return this._$AA.parentNode.insertBefore(t,this._$AB)}T(t){this._$AH!==t&&(this._$AR(),this._$AH=this.O(t))}_(t){this._$AH!==d&&B(this._$AH)?this._$AA.nextSibling.data=t:this.T(A.createTextNode(t)),this._$AH=t}$(t){let{values:e,_$litType$:s}=t,i=typeof s=="number"?this._$AC(t):(s.el===void 0&&(s.el=U.createElement(Ft(s.h,s.h[0]),this.options)),s);if(this._$AH?._$AD===i)this._$AH.p(e);else{let a=new dt(i,this),o=a.u(this.options);a.p(e),this.T(o),this._$AH=a}}_$AC(t){let e=Bt.get(t.strings);return e===void 0&&Bt.set(t.strings,e=new U(t)),e}k(t){mt(this._$AH)||(this._$AH=[],this._$AR());let e=this._$AH,s,i=0;for(let a of t)i===e.length?e.push(s=new r(this.O(L()),this.O(L()),this,this.options)):s=e[i],s._$AI(a),i++;i<e.length&&(this._$AR(s&&s._$AB.nextSibling,i),e.length=i)}_$AR(t=this._$AA.nextSibling,e){for(this._$AP?.(!1,!0,e);t!==this._$AB;){let s=Mt(t).nextSibling;Mt(t).remove(),t=s}}setConnected(t){this._$AM===void 0&&(this._$Cv=t,this._$AP?.(t))}},I=class{get tagName(){return this.element.tagName}get _$AU(){return this._$AM._$AU}constructor(t,e,s,i,a){this.type=1,this._$AH=d,this._$AN=void 0,this.element=t,this.name=e,this._$AM=i,this.options=a,s.length>2||s[0]!==""||s[1]!==""?(this._$AH=Array(s.length-1).fill(new String),this.strings=s):this._$AH=d}_$AI(t,e=this,s,i){let a=this.strings,o=!1;if(a===void 0)t=O(this,t,e,0),o=!B(t)||t!==this._$AH&&t!==E,o&&(this._$AH=t);else{let l=t,h,c;for(t=a[0],h=0;h<a.length-1;h++)c=O(this,l[s+h],e,h),c===E&&(c=this._$AH[h]),o||=!B(c)||c!==this._$AH[h],c===d?t=d:t!==d&&(t+=(c??"")+a[h+1]),this._$AH[h]=c}o&&!i&&this.j(t)}j(t){t===d?this.element.removeAttribute(this.name):this.element.setAttribute(this.name,t??"")}},ct=class extends I{constructor(){super(...arguments),this.type=3}j(t){this.element[this.name]=t===d?void 0:t}},ht=class extends I{constructor(){super(...arguments),this.type=4}j(t){this.element.toggleAttribute(this.name,!!t&&t!==d)}},pt=class extends I{constructor(t,e,s,i,a){super(t,e,s,i,a),this.type=5}_$AI(t,e=this){if((t=O(this,t,e,0)??d)===E)return;let s=this._$AH,i=t===d&&s!==d||t.capture!==s.capture||t.once!==s.once||t.passive!==s.passive,a=t!==d&&(s===d||i);i&&this.element.removeEventListener(this.name,this,s),a&&this.element.addEventListener(this.name,this,t),this._$AH=t}handleEvent(t){typeof this._$AH=="function"?this._$AH.call(this.options?.host??this.element,t):this._$AH.handleEvent(t)}},ut=class{constructor(t,e,s){this.element=t,this.type=6,this._$AN=void 0,this._$AM=e,this.options=s}get _$AU(){return this._$AM._$AU}_$AI(t){O(this,t)}};var xe=ft.litHtmlPolyfillSupport;xe?.(U,H),(ft.litHtmlVersions??=[]).push("3.3.3");var Vt=(r,t,e)=>{let s=e?.renderBefore??t,i=s._$litPart$;if(i===void 0){let a=e?.renderBefore??null;s._$litPart$=i=new H(t.insertBefore(L(),a),a,void 0,e??{})}return i._$AI(r),i};var $t=globalThis,_=class extends y{constructor(){super(...arguments),this.renderOptions={host:this},this._$Do=void 0}createRenderRoot(){let t=super.createRenderRoot();return this.renderOptions.renderBefore??=t.firstChild,t}update(t){let e=this.render();this.hasUpdated||(this.renderOptions.isConnected=this.isConnected),super.update(t),this._$Do=Vt(e,this.renderRoot,this.renderOptions)}connectedCallback(){super.connectedCallback(),this._$Do?.setConnected(!0)}disconnectedCallback(){super.disconnectedCallback(),this._$Do?.setConnected(!1)}render(){return E}};_._$litElement$=!0,_.finalized=!0,$t.litElementHydrateSupport?.({LitElement:_});var ke=$t.litElementPolyfillSupport;ke?.({LitElement:_});($t.litElementVersions??=[]).push("4.2.2");var M=class extends Error{constructor(t,e,s=[],i=""){super(e),this.status=t,this.errors=s,this.trackingId=i}};function Jt(r){if(!r)return;let t=r.trim();return/^(SharedAccessSignature|Bearer)\s/i.test(t)?t:`SharedAccessSignature ${t}`}function Se(r){return(r||"").trim().replace(/^(SharedAccessSignature|Bearer)\s+/i,"")}var T=class{constructor({baseUrl:t="",token:e="",organizationId:s="",log:i=()=>{}}={}){this.baseUrl=(t||"").replace(/\/+$/,""),this.token=e,this.organizationId=s||"",this.log=i}url(t,e){let s=this.baseUrl+t;if(this.organizationId&&(e={organizationId:this.organizationId,...e}),e){let i=new URLSearchParams;for(let[o,l]of Object.entries(e))l!=null&&l!==""&&i.set(o,String(l));let a=i.toString();a&&(s+=(s.includes("?")?"&":"?")+a)}return s}async request(t,e,{query:s,body:i,contentType:a="application/json"}={}){let o={Accept:"application/json"},l=Jt(this.token);l&&(o.Authorization=l),i!==void 0&&(o["Content-Type"]=a);let h=this.url(e,s);this.log(t,h);let c;try{c=await fetch(h,{method:t,headers:o,body:i===void 0?void 0:JSON.stringify(i)})}catch(f){throw new M(0,Kt(h,f))}let u=await c.text(),p=null;try{p=u?JSON.parse(u):null}catch{p=null}if(!c.ok){let f=p&&p.message||`${c.status} ${c.statusText||"error"}`,b=(p&&Array.isArray(p.errors)?p.errors:[]).filter($=>$&&$!==f);throw new M(c.status,f,b,p&&p.trackingId||"")}return p}get(t,e){return this.request("GET",t,{query:e})}post(t,e){return this.request("POST",t,{body:e})}patch(t,e){return this.request("PATCH",t,{body:e})}stream(t,e={}){let s={...e},i=Se(this.token);i&&(s.bearerToken=i);let a=this.url(t,s);return this.log("SSE",a.replace(/bearerToken=[^&]*/,"bearerToken=…")),new EventSource(a)}};async function Wt(r,t,e,s,{query:i,signal:a}={}){let o={Accept:"text/event-stream","Content-Type":"application/json"},l=Jt(r.token);l&&(o.Authorization=l);let h=r.url(t,i);r.log("POST SSE",h);let c;try{c=await fetch(h,{method:"POST",headers:o,body:JSON.stringify(e),signal:a})}catch(f){throw f.name==="AbortError"?f:new M(0,Kt(h,f))}if(!c.ok){let f=null;try{f=await c.json()}catch{f=null}let b=f&&f.message||`${c.status} ${c.statusText||"error"}`;throw new M(c.status,b,(f&&Array.isArray(f.errors)?f.errors:[]).filter($=>$&&$!==b),f&&f.trackingId||"")}let u=c.body.pipeThrough(new TextDecoderStream).getReader(),p="";for(;;){let{value:f,done:b}=await u.read();if(b)return;p+=f.replace(/\r\n?/g,`
`);let $;for(;($=p.indexOf(`

`))>=0;){let de=p.slice(0,$);p=p.slice($+2);let At="message",at=[];for(let K of de.split(`
`))K.startsWith("event:")?At=K.slice(6).trim():K.startsWith("data:")&&at.push(K.slice(5).replace(/^ /,""));if(!at.length)continue;let Et;try{Et=JSON.parse(at.join(`
`))}catch{continue}s(At,Et)}}}function Kt(r,t){let e=globalThis.location?.origin,s="";try{s=new URL(r,globalThis.location?.href).origin}catch{s=""}return e&&s&&e!==s?`Cannot reach ${s}: ${t.message}. If it is running, it does not allow this page's origin ${e}: add it to cors.allowOrigins in its configuration (JDS_CORS_ORIGINS).`:`Cannot reach the server: ${t.message}`}var m=encodeURIComponent;function g(r){if(!r)return"";let t=r.errors&&r.errors.length?` (${r.errors.join("; ")})`:"";return`${r.message}${t}`}var _t={blue:"#1d6ae5",green:"#1f8a4c",black:"#1f2328",olive:"#6b7a1f",cyan:"#0a8aa8",violet:"#7b4fd6",red:"#d1343b",gray:"#6b7280",orange:"#d9650b",lime:"#5c9a0f",cobalt:"#0047ab",purple:"#8e2db5",yellow:"#b58a00",gold:"#b8860b",mint:"#13a386",slate:"#475569",pink:"#d63384"},Zt="slate",Yt={phone:"M22 16.9v3a2 2 0 0 1-2.2 2 19.8 19.8 0 0 1-8.6-3.1 19.5 19.5 0 0 1-6-6A19.8 19.8 0 0 1 2.1 4.2 2 2 0 0 1 4.1 2h3a2 2 0 0 1 2 1.7c.1 1 .4 1.9.7 2.8a2 2 0 0 1-.5 2.1L8 9.9a16 16 0 0 0 6 6l1.3-1.3a2 2 0 0 1 2.1-.4c.9.3 1.8.6 2.8.7a2 2 0 0 1 1.7 2z",sms:"M21 15a2 2 0 0 1-2 2H7l-4 4V5a2 2 0 0 1 2-2h14a2 2 0 0 1 2 2zM8 9h8M8 13h5",email:"M4 4h16a2 2 0 0 1 2 2v12a2 2 0 0 1-2 2H4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2zM22 6l-10 7L2 6",chat:"M21 11.5a8.4 8.4 0 0 1-9 8.4 8.5 8.5 0 0 1-3.8-.9L3 21l1.9-5.2A8.4 8.4 0 0 1 12 3a8.5 8.5 0 0 1 9 8.5z",web:"M12 2a10 10 0 1 0 0 20 10 10 0 0 0 0-20zM2 12h20M12 2a15.3 15.3 0 0 1 4 10 15.3 15.3 0 0 1-4 10 15.3 15.3 0 0 1-4-10 15.3 15.3 0 0 1 4-10z",payment:"M3 5h18a1 1 0 0 1 1 1v12a1 1 0 0 1-1 1H3a1 1 0 0 1-1-1V6a1 1 0 0 1 1-1zM2 10h20M6 15h4",login:"M15 3h4a2 2 0 0 1 2 2v14a2 2 0 0 1-2 2h-4M10 17l5-5-5-5M15 12H3",bell:"M18 8a6 6 0 0 0-12 0c0 7-3 9-3 9h18s-3-2-3-9M13.7 21a2 2 0 0 1-3.4 0",home:"M3 10l9-7 9 7v10a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2zM9 22V12h6v10",video:"M23 7l-7 5 7 5V7zM3 5h11a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H3a2 2 0 0 1-2-2V7a2 2 0 0 1 2-2z",user:"M20 21v-2a4 4 0 0 0-4-4H8a4 4 0 0 0-4 4v2M12 3a4 4 0 1 0 0 8 4 4 0 0 0 0-8z",queue:"M12 2a10 10 0 1 0 0 20 10 10 0 0 0 0-20zM12 6v6l4 2",social:"M18 2h-3a5 5 0 0 0-5 5v3H7v4h3v8h4v-8h3l1-4h-4V7a1 1 0 0 1 1-1h3z",agent:"M3 18v-6a9 9 0 0 1 18 0v6M21 19a2 2 0 0 1-2 2h-1a2 2 0 0 1-2-2v-3a2 2 0 0 1 2-2h3zM3 19a2 2 0 0 0 2 2h1a2 2 0 0 0 2-2v-3a2 2 0 0 0-2-2H3z",event:"M12 8a4 4 0 1 0 0 8 4 4 0 0 0 0-8z"},Ae={Voice:{icon:"phone",color:"blue"},Call:{icon:"phone",color:"blue"},Telephony:{icon:"phone",color:"blue"},IVR:{icon:"phone",color:"cobalt"},"Queued Caller":{icon:"queue",color:"orange"},"Closed Queue":{icon:"queue",color:"red"},SMS:{icon:"sms",color:"green"},WhatsApp:{icon:"sms",color:"mint"},Email:{icon:"email",color:"violet"},Chat:{icon:"chat",color:"cyan"},Messenger:{icon:"chat",color:"cobalt"},Social:{icon:"social",color:"cobalt"},Web:{icon:"web",color:"cyan"},Website:{icon:"web",color:"cyan"},NewVisit:{icon:"web",color:"cyan"},MortgageRates:{icon:"home",color:"olive"},Payment:{icon:"payment",color:"gold"},"Payment Notify":{icon:"bell",color:"red"},Notification:{icon:"bell",color:"orange"},LoginUser:{icon:"login",color:"purple"},Login:{icon:"login",color:"purple"},Webex:{icon:"agent",color:"black"},Agent:{icon:"agent",color:"black"},Video:{icon:"video",color:"pink"}},X={icon:"event",color:Zt},Ee={handset:"phone",call:"phone","incoming-call":"phone","outgoing-call":"phone",ivr:"phone",voice:"phone",dialpad:"phone",message:"sms",whatsapp:"sms",text:"sms",mail:"email",envelope:"email",inbox:"email","chat-group":"chat",messenger:"chat","chat-active":"chat",browser:"web",globe:"web",language:"web",website:"web",link:"web","credit-card":"payment",wallet:"payment",card:"payment",cart:"payment","shopping-cart":"payment","sign-in":"login",unlock:"login",lock:"login",key:"login",alert:"bell",notification:"bell","alert-active":"bell",warning:"bell",info:"bell",house:"home",camera:"video","video-call":"video",meetings:"video",person:"user",people:"user","contact-card":"user",contact:"user",profile:"user",recents:"queue",clock:"queue",time:"queue",hourglass:"queue",waiting:"queue",facebook:"social",twitter:"social",instagram:"social",linkedin:"social",share:"social",headset:"agent","customer-service":"agent","headset-alt":"agent"};function Te(r){let t=String(r||"").toLowerCase().replace(/^icon-/,"").replace(/_\d+$/,"").replace(/-(filled|bold|light|regular|active)$/,"");return Yt[t]?t:Ee[t]||X.icon}function vt(r){if(!(!r||typeof r!="object"))return r.icon?r:r.name?{icon:Te(r.name),color:r.color}:r.color?{icon:X.icon,color:r.color}:void 0}function Gt(r,t,e=!0){if(!r||typeof r!="object")return;if(r[t])return vt(r[t]);let s=t.toLowerCase();for(let i of Object.keys(r))if(i.toLowerCase()===s)return vt(r[i]);if(e)for(let i of Object.keys(r)){let a;try{a=new RegExp(i,"i")}catch{continue}if(a.test(t))return vt(r[i])}}function tt(r,t){let e=String(t??""),s=e&&Gt(r,e)||Gt(Ae,e,!1)||X,i=_t[String(s.color||"").toLowerCase()]?String(s.color).toLowerCase():Zt;return{icon:s.icon||X.icon,color:i,css:_t[i]}}function yt(r){let t=Yt[r]||(/^[Mm][\d\s.,-]/.test(r)?r:null);return t?bt`<svg viewBox="0 0 24 24" width="16" height="16" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true"><path d=${t}></path></svg>`:bt`<svg viewBox="0 0 24 24" width="16" height="16" aria-hidden="true"><text x="12" y="17" text-anchor="middle" font-size="15">${String(r).slice(0,4)}</text></svg>`}var wt={All:0,"24-Hours":24*36e5,"7-Days":168*36e5,"30-Days":720*36e5},Qt=["phone","email","customerId","socialId","temporaryId"],Xt={phone:"Phone",email:"Email",customerId:"Customer ID",socialId:"Social ID",temporaryId:"Temporary ID"};function xt(r){let t=new Date(r);if(isNaN(t))return"unknown";let e=s=>String(s).padStart(2,"0");return`${t.getFullYear()}-${e(t.getMonth()+1)}-${e(t.getDate())}`}function Ce(r,t=new Date){if(r==="unknown")return"Unknown date";if(r===xt(t))return"Today";if(r===xt(t.getTime()-24*36e5))return"Yesterday";let[e,s,i]=r.split("-").map(Number);return new Intl.DateTimeFormat(void 0,{weekday:"short",year:"numeric",month:"short",day:"numeric"}).format(new Date(e,s-1,i))}function et(r){let t=new Date(r);return isNaN(t)?"":new Intl.DateTimeFormat(void 0,{hour:"2-digit",minute:"2-digit"}).format(t)}function te(r){try{return decodeURIComponent(r||"")}catch{return r||""}}function x(r){return r==null?"":typeof r=="object"?JSON.stringify(r):String(r)}function Ne(r,t){if(!r||typeof r!="object")return"";let e=[r,r.interaction,r.data,r.data?.interaction].filter(o=>o&&typeof o=="object"),s=o=>(o&&typeof o=="object"?o.value:o)??"",i=o=>{for(let l of e)if(l[o]&&(typeof l[o]=="object"||String(l[o]).trim()))return l[o]};if(t)for(let o of e)for(let l of[o.callAssociatedDetails,o.callAssociatedData]){let h=l&&typeof l=="object"?String(s(l[t])).trim():"";if(h)return h}let a=i("contactDirection");return a&&typeof a=="object"&&(a=a.type),String(s(String(a||"").toUpperCase()==="OUTBOUND"?i("dnis"):i("ani"))).trim()}var je=/\bhttps?:\/\/[^\s<>"'`]+/gi;function Oe(r){try{let t=new URL(r);return t.protocol==="http:"||t.protocol==="https:"?t.href:null}catch{return null}}function Ie(r){let t=[],e=0;for(let s of r.matchAll(je)){let i=s[0].replace(/[.,;:!?)\]}]+$/,""),a=Oe(i);a&&(t.push(r.slice(e,s.index),n`<a href=${a} target="_blank" rel="noopener noreferrer">${i}</a>`),e=s.index+i.length)}return t.length?(t.push(r.slice(e)),t):r}function Me(r){let t=r?.data;if(!t||typeof t!="object")return"";for(let e of Object.keys(t))if(e.toLowerCase()==="taskid"&&t[e]!==null&&t[e]!==void 0&&t[e]!=="")return x(t[e]);return""}function Pe(r){let t=[],e=new Map;for(let s of r){let i=Me(s);if(i&&e.has(i))e.get(i).items.push(s);else{let a={task:i,items:[s]};i&&e.set(i,a),t.push(a)}}return t}function De(r){return/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(r)}function Re(r,t){return(Date.parse(t.time)||0)-(Date.parse(r.time)||0)}var q=class extends _{constructor(){super(),this.customer="",this.templateId="",this.limit=50,this.timeFrame="All",this.liveStream=!1,this.iconDataPath="",this.badgeKeyword="",this.collapseTimelineSection=!1,this.collapseProfileSection=!1,this.collapseAliasSection=!1,this.readOnlyAliases=!1,this.hideAliases=!1,this.baseUrl="",this.token="",this.interactionData=null,this.cadVariable="",this.bearerToken="",this.organizationId="",this.dataCenter="",this.eventIconTemplate=null,this._editName=!1,this._nameMsg=null,this._pes=null,this.workspaceId="default",this.logsOn=!1,this._identity="",this._events=[],this._loading=!1,this._more=!1,this._page=0,this._error=null,this._expanded=new Set,this._hidden=new Set,this._frame="All",this._live="off",this._profile={state:"none"},this._person={state:"none"},this._aliasMsg=null,this._aliasBusy=!1,this._open={timeline:!0,profile:!0,alias:!0},this._iconMap=null,this._fresh=new Set,this._es=null,this._retry=null,this._gen=0}log(...t){this.logsOn&&console.debug("[customer-journey]",...t)}get api(){return new T({baseUrl:this.base,token:this.authToken,organizationId:this.organizationId,log:(...t)=>this.log(...t)})}get base(){let t=(this.dataCenter||"").trim();return this.baseUrl?this.baseUrl.replace(/\{dataCenter\}/g,encodeURIComponent(t)):/^https?:\/\//i.test(t)?t:""}get authToken(){let t=(this.bearerToken||"").trim();return t?/^(SharedAccessSignature|Bearer)\s/i.test(t)?t:`Bearer ${t}`:this.token}get ws(){return this.workspaceId||"default"}willUpdate(t){if(t.has("customer")||t.has("interactionData")||t.has("cadVariable")){let e=(this.customer||"").trim()||Ne(this.interactionData,(this.cadVariable||"").trim());(e||t.has("customer")||!this.interactionData)&&(this._identity=e)}t.has("timeFrame")&&(this._frame=wt[this.timeFrame]!==void 0?this.timeFrame:"All"),t.has("collapseTimelineSection")&&(this._open={...this._open,timeline:!this.collapseTimelineSection}),t.has("collapseProfileSection")&&(this._open={...this._open,profile:!this.collapseProfileSection}),t.has("collapseAliasSection")&&(this._open={...this._open,alias:!this.collapseAliasSection})}updated(t){(t.has("iconDataPath")||t.has("eventIconTemplate"))&&this.loadIconMap(),["_identity","liveStream","baseUrl","token","bearerToken","organizationId","dataCenter","workspaceId","limit","templateId"].some(s=>t.has(s))&&this.reload()}disconnectedCallback(){super.disconnectedCallback(),this.disconnect()}connectedCallback(){super.connectedCallback(),this.hasUpdated&&this._identity&&this.reload()}async loadIconMap(){if(!this.iconDataPath){this._iconMap=this.eventIconTemplate&&typeof this.eventIconTemplate=="object"?this.eventIconTemplate:null;return}try{let t=await fetch(this.iconDataPath);if(!t.ok)throw new Error(`${t.status} ${t.statusText}`);this._iconMap=await t.json(),this.log("icon map",this._iconMap)}catch(t){this._iconMap=null,this._error={message:`Icon map ${this.iconDataPath} could not be loaded: ${t.message}`}}}reload(){let t=++this._gen;if(this.disconnect(),this._events=[],this._expanded=new Set,this._fresh=new Set,this._error=null,this._page=0,this._more=!1,this._aliasMsg=null,this._nameMsg=null,this._editName=!1,this._lastLiveId=null,!this._identity){this._profile={state:"none"},this._person={state:"none"};return}this.loadEvents(t,0),this.loadProfile(t),this.loadPerson(t),this.connect()}async loadEvents(t,e){this._loading=!0;let s=Math.min(Math.max(parseInt(this.limit,10)||50,1),1e3);try{let i=await this.api.get(`/v1/api/events/workspace-id/${m(this.ws)}`,{identity:this._identity,pageSize:s,page:e});if(t!==this._gen)return;let a=Array.isArray(i?.data)?i.data:[];this.merge(a),this._page=e,this._more=a.length===s,this.dispatchEvent(new CustomEvent("journey-loaded",{detail:{identity:this._identity,count:this._events.length},bubbles:!0,composed:!0}))}catch(i){if(t!==this._gen)return;this._error=i,this.dispatchEvent(new CustomEvent("journey-error",{detail:{message:g(i)},bubbles:!0,composed:!0}))}finally{t===this._gen&&(this._loading=!1)}}merge(t,e=!1){let s=new Set(this._events.map(a=>a.id)),i=t.filter(a=>a&&a.id&&!s.has(a.id));i.length&&(e&&(this._fresh=new Set([...this._fresh,...i.map(a=>a.id)])),this._events=[...this._events,...i].sort(Re))}async loadProfile(t){let e=(this.templateId||"").trim();if(!e){this._profile={state:"none"};return}this._profile={state:"loading"};let s=`/v1/api/progressive-profile-view/workspace-id/${m(this.ws)}/identity/${m(this._identity)}`,i=`${De(e)?"template-id":"template-name"}/${m(e)}`;try{let a=await this.api.get(`${s}/${i}`);if(t!==this._gen)return;this.showProfile(Array.isArray(a?.data)?a.data[0]:a?.data),this.connectProfile(t,i)}catch(a){if(t!==this._gen)return;this._profile=a.status===404?{state:"empty"}:{state:"error",error:a}}}showProfile(t){this._profile=t&&Array.isArray(t.attributes)&&t.attributes.length?{state:"ok",view:t}:{state:"empty"}}connectProfile(t,e){if(this.closeProfile(),!this.liveStream||typeof EventSource>"u"||t!==this._gen)return;let s=this.api.stream(`/v1/api/progressive-profile-view/stream/workspace-id/${m(this.ws)}/identity/${m(this._identity)}/${e}`);this._pes=s,s.addEventListener("profile",i=>{if(!(this._pes!==s||t!==this._gen))try{let a=JSON.parse(i.data);this.log("live profile",a),this.showProfile(a)}catch{}}),s.onerror=()=>{this._pes!==s||s.readyState!==EventSource.CLOSED||(clearTimeout(this._pretry),this._pretry=setTimeout(()=>{this._pes===s&&t===this._gen&&this.connectProfile(t,e)},5e3))}}closeProfile(){clearTimeout(this._pretry),this._pes&&this._pes.close(),this._pes=null}async loadPerson(t){this._person={state:"loading"};try{let e=await this.api.get(`/admin/v1/api/person/workspace-id/${m(this.ws)}/aliases/${m(this._identity)}`);if(t!==this._gen)return;let s=Array.isArray(e?.data)?e.data[0]:null;this._person=s?{state:"ok",person:s}:{state:"empty"}}catch(e){if(t!==this._gen)return;this._person=e.status===404?{state:"empty"}:{state:"error",error:e}}}connect(){if(this.closeEvents(),!this.liveStream||!this._identity||typeof EventSource>"u")return;let t=this._gen,e=this._lastLiveId||(this._events.length?this._events[0].id:""),s=this.api.stream(`/v1/api/events/stream/workspace-id/${m(this.ws)}/identity/${m(this._identity)}`,e?{lastEventId:e}:{});this._es=s,this._live="connecting",s.onopen=()=>{this._es===s&&(this._live="on")},s.addEventListener("event",i=>{if(this._es!==s||t!==this._gen)return;let a;try{a=JSON.parse(i.data)}catch{return}this._lastLiveId=i.lastEventId||a.id,this.log("live event",a),this.merge([a],!0),this._person.state==="empty"&&this.loadPerson(t),this.dispatchEvent(new CustomEvent("journey-event",{detail:a,bubbles:!0,composed:!0}))}),s.onerror=()=>{this._es===s&&(s.readyState===EventSource.CLOSED?(this._live="off",clearTimeout(this._retry),this._retry=setTimeout(()=>{this._es===s&&t===this._gen&&this.connect()},5e3)):this._live="connecting")}}disconnect(){this.closeProfile(),this.closeEvents()}closeEvents(){clearTimeout(this._retry),this._es&&(this._es.close(),this._es=null),this._live="off"}async addAlias(t){t.preventDefault();let e=t.target,s=e.kind.value,i=e.value.value.trim();!i||this._person.state!=="ok"||(await this.changeAliases(`/admin/v1/api/person/add-identities/workspace-id/${m(this.ws)}/person-id/${m(this._person.person.id)}`,{[s]:[i]},`Added ${i}`),this._aliasMsg?.ok&&(e.value.value=""))}removeAlias(t){return this.changeAliases(`/admin/v1/api/person/remove-identities/workspace-id/${m(this.ws)}/person-id/${m(this._person.person.id)}`,[t],`Removed ${t}`)}async changeAliases(t,e,s){this._aliasBusy=!0,this._aliasMsg=null;try{let i=await this.api.patch(t,e);i?.data&&(this._person={state:"ok",person:i.data}),this._aliasMsg={ok:!0,text:s}}catch(i){this._aliasMsg={ok:!1,text:g(i)}}finally{this._aliasBusy=!1}}openNameEditor(){this._editName=!0,this._nameMsg=null,this.updateComplete.then(()=>this.renderRoot.querySelector("#cjw-first")?.focus())}closeNameEditor(){this._editName=!1,this.updateComplete.then(()=>this.renderRoot.querySelector(".edit-name-btn")?.focus())}async saveName(t){if(t.preventDefault(),this._person.state!=="ok")return;let e=t.target,s=[{op:"add",path:"/firstName",value:e.firstName.value.trim()},{op:"add",path:"/lastName",value:e.lastName.value.trim()}];this._aliasBusy=!0,this._nameMsg=null;try{let i=await this.api.patch(`/admin/v1/api/person/workspace-id/${m(this.ws)}/person-id/${m(this._person.person.id)}`,s);i?.data&&(this._person={state:"ok",person:i.data}),this._nameMsg={ok:!0,text:"Name saved"},this.closeNameEditor()}catch(i){this._nameMsg={ok:!1,text:g(i)}}finally{this._aliasBusy=!1}}search(t){t.preventDefault();let e=t.target.identity.value.trim();e&&(this._identity=e)}clearSearch(){this._identity=""}toggle(t){let e=new Set(this._expanded);e.has(t)?e.delete(t):e.add(t),this._expanded=e}toggleType(t){let e=new Set(this._hidden);e.has(t)?e.delete(t):e.add(t),this._hidden=e}toggleSection(t){this._open={...this._open,[t]:!this._open[t]}}get visible(){let t=wt[this._frame]||0,e=t?Date.now()-t:-1/0;return this._events.filter(s=>!this._hidden.has(this.typeOf(s))&&(!t||(Date.parse(s.time)||0)>=e))}typeOf(t){return String(t?.data?.channelType??"")||"Other"}render(){return n`<section class="cjw" aria-label="Customer journey">
      <header class="top">
        <div class="title">
          <h2>Customer Journey</h2>
          ${this._identity?n`<span class="who" title=${this._identity}>${this.fullName?n`<b class="name">${this.fullName}</b> · `:d}${this._identity}</span>`:d}
        </div>
        <div class="tools">
          ${this.liveStream&&this._identity?n`<span class="live ${this._live}" role="status" aria-label=${`Live updates: ${this._live==="on"?"connected":this._live==="connecting"?"connecting":"off"}`}
                ><span class="dot" aria-hidden="true"></span>${this._live==="on"?"Live":this._live==="connecting"?"Connecting":"Offline"}</span
              >`:d}
          ${this._person.state==="ok"?n`<button class="icon-btn edit-name-btn" @click=${this.openNameEditor} aria-label="Edit name" title="Edit name" aria-expanded=${this._editName?"true":"false"}>
                <svg viewBox="0 0 24 24" width="16" height="16" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true"><path d="M12 20h9M16.5 3.5a2.1 2.1 0 0 1 3 3L7 19l-4 1 1-4z"></path></svg>
              </button>`:d}
          ${this._identity?n`<button class="icon-btn" @click=${()=>this.reload()} aria-label="Refresh journey" title="Refresh">
                <svg viewBox="0 0 24 24" width="16" height="16" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" aria-hidden="true"><path d="M21 12a9 9 0 1 1-3-6.7L21 8M21 3v5h-5"></path></svg>
              </button>`:d}
          ${this._identity&&!this.customer?n`<button class="icon-btn" @click=${this.clearSearch} aria-label="Search another customer" title="Search another customer">
                <svg viewBox="0 0 24 24" width="16" height="16" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" aria-hidden="true"><path d="M11 4a7 7 0 1 0 0 14 7 7 0 0 0 0-14zM21 21l-5-5"></path></svg>
              </button>`:d}
        </div>
      </header>
      ${this._editName&&this._person.state==="ok"?this.renderNameEditor():d}
      ${this._nameMsg?n`<p class=${this._nameMsg.ok?"ok pad":"error"} role=${this._nameMsg.ok?"status":"alert"}>${this._nameMsg.text}</p>`:d}
      ${this._identity?d:this.renderSearch()}
      ${this._error?n`<div class="error" role="alert">${g(this._error)}</div>`:d}
      ${this._identity?n`${this.renderProfile()} ${this.hideAliases?d:this.renderAliases()} ${this.renderTimeline()}`:d}
    </section>`}get fullName(){let t=this._person.state==="ok"?this._person.person:null;return t?[t.firstName,t.lastName].filter(Boolean).join(" "):""}renderNameEditor(){let t=this._person.person;return n`<form class="edit-name" aria-label="Edit name" @submit=${this.saveName} @keydown=${e=>e.key==="Escape"&&this.closeNameEditor()}>
      <label for="cjw-first">First name</label>
      <input id="cjw-first" name="firstName" .value=${t.firstName||""} autocomplete="off" maxlength="200" />
      <label for="cjw-last">Last name</label>
      <input id="cjw-last" name="lastName" .value=${t.lastName||""} autocomplete="off" maxlength="200" />
      <div class="row">
        <button type="submit" class="primary" ?disabled=${this._aliasBusy}>Save</button>
        <button type="button" @click=${this.closeNameEditor}>Cancel</button>
      </div>
    </form>`}renderSearch(){return n`<form class="search" role="search" @submit=${this.search}>
      <label for="q">Customer identity</label>
      <div class="row">
        <input id="q" name="identity" type="search" placeholder="Phone, email or customer ID" autocomplete="off" required />
        <button type="submit" class="primary">Look up</button>
      </div>
    </form>`}sectionHead(t,e,s=d){let i=this._open[t];return n`<h3 class="sec-head">
      <button class="sec-toggle" aria-expanded=${i?"true":"false"} aria-controls=${`sec-${t}`} @click=${()=>this.toggleSection(t)}>
        <svg class="chev ${i?"open":""}" viewBox="0 0 24 24" width="14" height="14" fill="none" stroke="currentColor" stroke-width="2.5" aria-hidden="true"><path d="M9 6l6 6-6 6"></path></svg>
        ${e}
      </button>
      ${s}
    </h3>`}renderProfile(){let t=this._profile;if(!this.templateId)return d;let e;t.state==="loading"?e=n`<p class="muted">Loading profile…</p>`:t.state==="error"?e=n`<p class="error" role="alert">${g(t.error)}</p>`:t.state==="ok"?e=n`<table class="kv" aria-label="Profile attributes">
        <tbody>
          ${t.view.attributes.map(i=>n`<tr>
              <th scope="row">${i.displayName||i.name}</th>
              <td>${i.error?n`<span class="bad">${x(i.error)}</span>`:x(i.result??i.value)}</td>
            </tr>`)}
        </tbody>
      </table>`:e=n`<p class="muted">No profile</p>`;let s=t.state==="ok"&&t.view.templateName?`Profile · ${t.view.templateName}`:"Profile";return n`<div class="section" part="profile">
      ${this.sectionHead("profile",s)}
      <div id="sec-profile" ?hidden=${!this._open.profile}>${e}</div>
    </div>`}renderAliases(){let t=this._person,e;if(t.state==="loading")e=n`<p class="muted">Loading aliases…</p>`;else if(t.state==="error")e=n`<p class="error" role="alert">${g(t.error)}</p>`;else if(t.state==="empty")e=n`<p class="muted">No person owns this identity yet.</p>`;else if(t.state==="ok"){let s=t.person,i=this.readOnlyAliases,a=Qt.filter(o=>(s[o]||[]).length);e=n`
        <ul class="aliases" aria-label="Aliases">
          ${a.map(o=>s[o].map(l=>n`<li class="alias" data-kind=${o}>
                <span class="kind">${Xt[o]}</span><span class="val" title=${l}>${l}</span>
                ${i?d:n`<button class="icon-btn small" ?disabled=${this._aliasBusy} aria-label=${`Remove alias ${l}`} title="Remove" @click=${()=>this.removeAlias(l)}>
                      <svg viewBox="0 0 24 24" width="12" height="12" fill="none" stroke="currentColor" stroke-width="2.5" stroke-linecap="round" aria-hidden="true"><path d="M6 6l12 12M18 6L6 18"></path></svg>
                    </button>`}
              </li>`))}
        </ul>
        ${i?d:n`<form class="add-alias" @submit=${this.addAlias} aria-label="Add alias">
              <select name="kind" aria-label="Alias kind">
                ${Qt.map(o=>n`<option value=${o} ?selected=${o==="email"}>${Xt[o]}</option>`)}
              </select>
              <input name="value" aria-label="Alias value" placeholder="New alias" required />
              <button type="submit" ?disabled=${this._aliasBusy}>Add</button>
            </form>`}
        ${this._aliasMsg?n`<p class=${this._aliasMsg.ok?"ok":"error"} role=${this._aliasMsg.ok?"status":"alert"}>${this._aliasMsg.text}</p>`:d}
      `}return n`<div class="section" part="aliases">
      ${this.sectionHead("alias","Aliases")}
      <div id="sec-alias" ?hidden=${!this._open.alias}>${e??d}</div>
    </div>`}renderTimeline(){let t=[...new Set(this._events.map(a=>this.typeOf(a)))].sort((a,o)=>a.localeCompare(o)),e=this.visible,s=[];for(let a of Pe(e)){let o=xt(a.items[0].time);(!s.length||s[s.length-1].key!==o)&&s.push({key:o,items:[]}),s[s.length-1].items.push(a)}let i=n`<span class="count" aria-live="polite">${e.length===this._events.length?`${e.length}`:`${e.length} of ${this._events.length}`}</span>`;return n`<div class="section" part="timeline">
      ${this.sectionHead("timeline","Timeline",i)}
      <div id="sec-timeline" ?hidden=${!this._open.timeline}>
        <div class="filters">
          <label class="frame"
            ><span>Time frame</span>
            <select aria-label="Time frame" @change=${a=>this._frame=a.target.value}>
              ${Object.keys(wt).map(a=>n`<option value=${a} ?selected=${a===this._frame}>${a==="All"?"All time":a.replace("-"," ")}</option>`)}
            </select></label
          >
          ${t.length>1?n`<div class="chips" role="group" aria-label="Filter by channel type">
                ${t.map(a=>{let o=!this._hidden.has(a),l=tt(this._iconMap,a);return n`<button class="chip ${o?"on":""}" aria-pressed=${o?"true":"false"} data-type=${a} style=${`--c:${l.css}`} @click=${()=>this.toggleType(a)}>
                    <span class="sw" aria-hidden="true"></span>${a}
                  </button>`})}
              </div>`:d}
        </div>
        ${this._loading&&!this._events.length?n`<p class="muted">Loading events…</p>`:d}
        ${!this._loading&&!this._error&&!this._events.length?n`<p class="muted empty">No events for this customer yet.</p>`:d}
        ${this._events.length&&!e.length?n`<p class="muted empty">No events match the filters.</p>`:d}
        ${s.map(a=>n`<div class="day" data-day=${a.key}>
            <h4 class="day-head">${Ce(a.key)}</h4>
            <ol class="events">
              ${a.items.map(o=>o.items.length>1?this.renderTask(o):this.renderEvent(o.items[0]))}
            </ol>
          </div>`)}
        ${this._more?n`<button class="more" ?disabled=${this._loading} @click=${()=>this.loadEvents(this._gen,this._page+1)}>${this._loading?"Loading…":"Load older events"}</button>`:d}
      </div>
    </div>`}renderTask(t){let e=t.items[0],s=t.items[t.items.length-1],i=e.data&&typeof e.data=="object"?e.data:{},a=tt(this._iconMap,i.channelType),o=`task:${t.task}`,l=this._expanded.has(o),h=x(i.origin)||e.type,c=`tk-${t.task}`.replace(/[^A-Za-z0-9_-]/g,"_"),u=t.items.some(p=>this._fresh.has(p.id));return n`<li class="task ${u?"fresh":""}" data-task=${t.task} data-type=${this.typeOf(e)} data-color=${a.color}>
      <button class="ev-head" aria-expanded=${l?"true":"false"} aria-controls=${c} @click=${()=>this.toggle(o)}>
        <span class="ic stack" style=${`--c:${a.css}`} data-icon=${a.icon}>${yt(a.icon)}</span>
        <span class="ev-main">
          <span class="ev-title">${h}</span>
          <span class="ev-sub"><span class="n">${t.items.length} events</span> · task ${t.task}</span>
        </span>
        <span class="ev-side">
          <time datetime=${e.time} title=${`${et(s.time)}–${et(e.time)}`}>${et(e.time)}</time>
          <span class="badge" style=${`--c:${a.css}`}>${t.items.length}</span>
        </span>
      </button>
      ${l?n`<ol class="events nested" id=${c} aria-label=${`Events of task ${t.task}`}>${t.items.map(p=>this.renderEvent(p))}</ol>`:d}
    </li>`}renderEvent(t){let e=t.data&&typeof t.data=="object"?t.data:{},s=this.typeOf(t),i=tt(this._iconMap,e.channelType),a=this._expanded.has(t.id),o=x(e.origin)||t.type,l=this.badgeKeyword?x(e[this.badgeKeyword]):x(e.channelType),h=`ev-${t.id}`.replace(/[^A-Za-z0-9_-]/g,"_");return n`<li class="event ${this._fresh.has(t.id)?"fresh":""}" data-id=${t.id} data-type=${s} data-color=${i.color}>
      <button class="ev-head" aria-expanded=${a?"true":"false"} aria-controls=${h} @click=${()=>this.toggle(t.id)}>
        <span class="ic" style=${`--c:${i.css}`} data-icon=${i.icon}>${yt(i.icon)}</span>
        <span class="ev-main">
          <span class="ev-title">${o}</span>
          <span class="ev-sub">${t.type}${t.source?n` · ${te(t.source)}`:d}</span>
        </span>
        <span class="ev-side">
          <time datetime=${t.time}>${et(t.time)}</time>
          ${l?n`<span class="badge" style=${`--c:${i.css}`}>${l}</span>`:d}
        </span>
      </button>
      ${a?n`<div class="ev-body" id=${h}>
            <table class="kv" aria-label=${`Details of ${o}`}>
              <tbody>
                ${Object.entries(e).map(([c,u])=>n`<tr><th scope="row">${c}</th><td>${Ie(x(u))}</td></tr>`)}
                <tr class="meta"><th scope="row">type</th><td>${t.type}</td></tr>
                <tr class="meta"><th scope="row">source</th><td>${te(t.source)}</td></tr>
                <tr class="meta"><th scope="row">identity</th><td>${t.identity} (${t.identitytype})</td></tr>
                ${t.previousidentity?n`<tr class="meta"><th scope="row">previous identity</th><td>${t.previousidentity}</td></tr>`:d}
                <tr class="meta"><th scope="row">time</th><td>${t.time?new Date(t.time).toLocaleString():""}</td></tr>
                <tr class="meta"><th scope="row">id</th><td>${t.id}</td></tr>
              </tbody>
            </table>
          </div>`:d}
    </li>`}};j(q,"properties",{customer:{type:String},templateId:{type:String,attribute:"template-id"},limit:{type:Number},timeFrame:{type:String,attribute:"time-frame"},liveStream:{type:Boolean,attribute:"live-stream"},iconDataPath:{type:String,attribute:"icon-data-path"},badgeKeyword:{type:String,attribute:"badge-keyword"},collapseTimelineSection:{type:Boolean,attribute:"collapse-timeline-section"},collapseProfileSection:{type:Boolean,attribute:"collapse-profile-section"},collapseAliasSection:{type:Boolean,attribute:"collapse-alias-section"},readOnlyAliases:{type:Boolean,attribute:"read-only-aliases"},hideAliases:{type:Boolean,attribute:"hide-aliases"},baseUrl:{type:String,attribute:"base-url"},token:{type:String},interactionData:{type:Object,attribute:"interaction-data"},cadVariable:{type:String,attribute:"cad-variable"},bearerToken:{type:String,attribute:"bearer-token"},organizationId:{type:String,attribute:"organization-id"},dataCenter:{type:String,attribute:"data-center"},eventIconTemplate:{attribute:!1},workspaceId:{type:String,attribute:"workspace-id"},logsOn:{type:Boolean,attribute:"logs-on"},_identity:{state:!0},_events:{state:!0},_loading:{state:!0},_more:{state:!0},_error:{state:!0},_expanded:{state:!0},_hidden:{state:!0},_frame:{state:!0},_live:{state:!0},_profile:{state:!0},_person:{state:!0},_aliasMsg:{state:!0},_aliasBusy:{state:!0},_open:{state:!0},_iconMap:{state:!0},_fresh:{state:!0},_editName:{state:!0},_nameMsg:{state:!0}}),j(q,"styles",D`
    :host {
      display: block;
      font-family: var(--cjw-font, system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif);
      font-size: 14px;
      line-height: 1.4;
      color: var(--cjw-fg, #1f2328);
      background: var(--cjw-bg, #fff);
      container-type: inline-size;
      min-width: 0;
    }
    [hidden] {
      display: none !important;
    }
    .cjw {
      border: 1px solid var(--cjw-border, #d8dee4);
      border-radius: 8px;
      overflow: hidden;
      background: inherit;
    }
    .top {
      display: flex;
      align-items: center;
      justify-content: space-between;
      gap: 8px;
      padding: 10px 12px;
      border-bottom: 1px solid var(--cjw-border, #d8dee4);
      background: var(--cjw-head-bg, #f6f8fa);
    }
    .title {
      min-width: 0;
      display: flex;
      flex-direction: column;
    }
    h2 {
      font-size: 15px;
      font-weight: 600;
      margin: 0;
    }
    .who {
      color: #57606a;
      font-size: 12px;
      overflow: hidden;
      text-overflow: ellipsis;
      white-space: nowrap;
    }
    .tools {
      display: flex;
      align-items: center;
      gap: 6px;
      flex: none;
    }
    button,
    input,
    select {
      font: inherit;
      color: inherit;
    }
    button {
      cursor: pointer;
    }
    button:disabled {
      cursor: default;
      opacity: 0.6;
    }
    :focus-visible {
      outline: 2px solid var(--cjw-focus, #1d6ae5);
      outline-offset: 2px;
    }
    .icon-btn {
      display: inline-flex;
      align-items: center;
      justify-content: center;
      width: 30px;
      height: 30px;
      border: 1px solid var(--cjw-border, #d8dee4);
      border-radius: 6px;
      background: #fff;
      color: #424a53;
      padding: 0;
    }
    .icon-btn:hover {
      background: #eef1f4;
    }
    .icon-btn.small {
      width: 22px;
      height: 22px;
      border-color: transparent;
      background: transparent;
    }
    .icon-btn.small:hover {
      background: #ffe9e9;
      color: #d1343b;
    }
    .live {
      display: inline-flex;
      align-items: center;
      gap: 5px;
      font-size: 12px;
      color: #57606a;
      padding: 2px 8px;
      border-radius: 999px;
      background: #eef1f4;
    }
    .live .dot {
      width: 8px;
      height: 8px;
      border-radius: 50%;
      background: #8c959f;
    }
    .live.on {
      color: #1a7f37;
      background: #e6f4ea;
    }
    .live.on .dot {
      background: #1f8a4c;
      box-shadow: 0 0 0 3px rgba(31, 138, 76, 0.2);
    }
    .live.connecting .dot {
      background: #d9650b;
    }
    .search {
      padding: 12px;
    }
    .search label {
      display: block;
      font-weight: 600;
      margin-bottom: 6px;
    }
    .row,
    .add-alias {
      display: flex;
      gap: 6px;
      flex-wrap: wrap;
    }
    input,
    select {
      border: 1px solid #c9d1d9;
      border-radius: 6px;
      padding: 6px 8px;
      background: #fff;
      min-width: 0;
    }
    .row input {
      flex: 1 1 160px;
    }
    button.primary,
    .edit-name .primary,
    .add-alias button,
    .more {
      border: 1px solid #1d6ae5;
      background: #1d6ae5;
      color: #fff;
      border-radius: 6px;
      padding: 6px 12px;
      font-weight: 600;
    }
    .more {
      display: block;
      margin: 8px auto 12px;
      background: #fff;
      color: #1d6ae5;
    }
    .error {
      margin: 8px 12px;
      padding: 8px 10px;
      border-radius: 6px;
      background: #fff1f0;
      border: 1px solid #ffccc7;
      color: #a8071a;
    }
    .ok {
      margin: 6px 0 0;
      color: #1a7f37;
      font-size: 12px;
    }
    .muted {
      color: #6e7781;
      margin: 6px 0 10px;
    }
    .section {
      border-bottom: 1px solid var(--cjw-border, #d8dee4);
      padding: 0 12px;
    }
    .section:last-child {
      border-bottom: none;
    }
    .sec-head {
      margin: 0;
      display: flex;
      align-items: center;
      justify-content: space-between;
      font-size: 13px;
    }
    .sec-toggle {
      display: inline-flex;
      align-items: center;
      gap: 6px;
      border: none;
      background: none;
      padding: 10px 0;
      font-weight: 600;
      text-transform: uppercase;
      letter-spacing: 0.04em;
      font-size: 12px;
      color: #424a53;
    }
    .chev {
      transition: transform 0.15s;
    }
    .chev.open {
      transform: rotate(90deg);
    }
    .count {
      font-size: 12px;
      color: #6e7781;
      background: #eef1f4;
      border-radius: 999px;
      padding: 0 8px;
    }
    .kv {
      width: 100%;
      border-collapse: collapse;
      margin-bottom: 10px;
      table-layout: fixed;
    }
    .kv th,
    .kv td {
      text-align: left;
      vertical-align: top;
      padding: 4px 6px;
      border-top: 1px solid #eaeef2;
      font-size: 13px;
      overflow-wrap: anywhere;
    }
    .kv th {
      width: 38%;
      color: #57606a;
      font-weight: 500;
    }
    .kv tr.meta th,
    .kv tr.meta td {
      color: #6e7781;
      font-size: 12px;
    }
    .name {
      font-weight: 600;
      margin: 0 0 6px;
    }
    .aliases {
      list-style: none;
      margin: 0 0 8px;
      padding: 0;
      display: flex;
      flex-direction: column;
      gap: 4px;
    }
    .alias {
      display: flex;
      align-items: center;
      gap: 8px;
      min-width: 0;
    }
    .alias .kind {
      flex: none;
      width: 92px;
      font-size: 12px;
      color: #57606a;
    }
    .alias .val {
      flex: 1;
      min-width: 0;
      overflow: hidden;
      text-overflow: ellipsis;
      white-space: nowrap;
      font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace;
      font-size: 12.5px;
    }
    .add-alias {
      margin-bottom: 10px;
    }
    .add-alias input {
      flex: 1 1 120px;
    }
    .filters {
      display: flex;
      flex-direction: column;
      gap: 8px;
      margin-bottom: 6px;
    }
    .frame {
      display: flex;
      align-items: center;
      gap: 8px;
      font-size: 12px;
      color: #57606a;
    }
    .chips {
      display: flex;
      flex-wrap: wrap;
      gap: 6px;
    }
    .chip {
      display: inline-flex;
      align-items: center;
      gap: 6px;
      border: 1px solid #d0d7de;
      border-radius: 999px;
      padding: 2px 10px;
      background: #fff;
      font-size: 12px;
      color: #6e7781;
    }
    .chip .sw {
      width: 8px;
      height: 8px;
      border-radius: 50%;
      border: 1.5px solid var(--c);
    }
    .chip.on {
      color: #1f2328;
      border-color: var(--c);
      background: color-mix(in srgb, var(--c) 8%, #fff);
    }
    .chip.on .sw {
      background: var(--c);
    }
    .day-head {
      position: sticky;
      top: 0;
      margin: 8px 0 4px;
      padding: 4px 0;
      font-size: 12px;
      font-weight: 600;
      color: #57606a;
      background: var(--cjw-bg, #fff);
      z-index: 1;
    }
    .events {
      list-style: none;
      margin: 0 0 4px;
      padding: 0;
      position: relative;
    }
    .events::before {
      content: '';
      position: absolute;
      left: 15px;
      top: 6px;
      bottom: 6px;
      width: 2px;
      background: #eaeef2;
    }
    .event {
      position: relative;
    }
    .event.fresh .ev-head {
      animation: flash 2.5s ease-out;
    }
    @keyframes flash {
      from {
        background: #fff6d6;
      }
      to {
        background: transparent;
      }
    }
    .ev-head {
      display: flex;
      align-items: flex-start;
      gap: 10px;
      width: 100%;
      text-align: left;
      border: none;
      background: transparent;
      padding: 6px 4px 6px 0;
      border-radius: 6px;
    }
    .ev-head:hover {
      background: #f6f8fa;
    }
    .ic {
      flex: none;
      position: relative;
      display: inline-flex;
      align-items: center;
      justify-content: center;
      width: 32px;
      height: 32px;
      border-radius: 50%;
      color: #fff;
      background: var(--c);
      box-shadow: 0 0 0 3px #fff;
    }
    .ev-main {
      flex: 1;
      min-width: 0;
      display: flex;
      flex-direction: column;
    }
    .ev-title {
      font-weight: 600;
      overflow-wrap: anywhere;
    }
    .ev-sub {
      font-size: 12px;
      color: #6e7781;
      overflow-wrap: anywhere;
    }
    .ev-side {
      flex: none;
      display: flex;
      flex-direction: column;
      align-items: flex-end;
      gap: 2px;
      max-width: 40%;
    }
    time {
      font-size: 12px;
      color: #57606a;
      white-space: nowrap;
    }
    .badge {
      font-size: 11px;
      border-radius: 4px;
      padding: 0 6px;
      color: var(--c);
      background: color-mix(in srgb, var(--c) 12%, #fff);
      max-width: 100%;
      overflow: hidden;
      text-overflow: ellipsis;
      white-space: nowrap;
    }
    .ev-body {
      margin: 0 0 6px 42px;
    }
    .events.nested {
      margin: 0 0 6px 42px;
    }
    .events.nested::before {
      left: 15px;
    }
    .ic.stack {
      box-shadow: 0 0 0 3px #fff, 3px 3px 0 3px color-mix(in srgb, var(--c) 35%, #fff);
    }
    .task.fresh > .ev-head {
      animation: flash 2.5s ease-out;
    }
    .kv a {
      color: #0b4fc0;
      overflow-wrap: anywhere;
    }
    .edit-name {
      display: grid;
      grid-template-columns: auto 1fr;
      gap: 6px 8px;
      align-items: center;
      padding: 10px 12px;
      border-bottom: 1px solid var(--cjw-border, #d8dee4);
    }
    .edit-name label {
      font-size: 12px;
      color: #57606a;
    }
    .edit-name .row {
      grid-column: 1 / -1;
    }
    .edit-name button:not(.primary) {
      border: 1px solid #c9d1d9;
      background: #fff;
      border-radius: 6px;
      padding: 6px 12px;
    }
    .ok.pad {
      margin: 6px 12px;
    }
    .who .name {
      color: #1f2328;
      font-weight: 600;
    }
    .bad {
      color: #a8071a;
    }
    @container (max-width: 360px) {
      .alias .kind {
        width: 76px;
      }
      .kv th {
        width: 42%;
      }
      .ev-body {
        margin-left: 0;
      }
    }
  `);customElements.get("customer-journey-widget")||customElements.define("customer-journey-widget",q);var C={token:"jds.token",ws:"jds.workspace",template:"jds.template"},F={templates:{title:"Profile templates",path:r=>`/admin/v1/api/profile-view-template/workspace-id/${m(r)}`},actions:{title:"Journey actions",path:r=>`/admin/v1/api/journey-actions/workspace-id/${m(r)}`},flows:{title:"IVR flows",path:r=>`/admin/v1/api/flows/workspace-id/${m(r)}`},deliveries:{title:"Deliveries",path:r=>`/admin/v1/api/journey-actions/workspace-id/${m(r)}/history`},deadletters:{title:"Dead letters",path:r=>`/admin/v1/api/journey-actions/workspace-id/${m(r)}/dead-letters`},jobs:{title:"Scheduled jobs",path:()=>"/admin/v1/api/jobs"}},kt={templates:{path:"/admin/v1/api/rules",what:"Rule files"},flows:{path:"/admin/v1/api/flows",what:"Flow files"}},ee=[["persons","Persons"],["tail","Live tail"],["templates","Templates"],["actions","Actions"],["flows","Flows"],["deliveries","Deliveries"],["deadletters","Dead letters"],["jobs","Jobs"]];function N(r,t){try{if(t===void 0)return sessionStorage.getItem(r)||"";t===null?sessionStorage.removeItem(r):sessionStorage.setItem(r,t)}catch{return""}return t}var ze="00000000-0000-0000-0000-000000000000",Le=r=>`/admin/v1/api/journey-actions/workspace-id/${m(r)}/shadow`,Be=r=>`/admin/v1/api/journey-actions/backtest/workspace-id/${m(r)}`,se=["pending","deferred","sent","dead","suppressed","shadow"],ie={optOut:"the person opted out",maxPerPerson:"the cap per person was reached",quietHours:"quiet hours"};function V(r){return r.state==="pending"&&r.policy?.outcome==="deferred"?"deferred":r.state}function ae(r){let t=new Date(r);return new Date(r-t.getTimezoneOffset()*6e4).toISOString().slice(0,16)}var J=r=>`/admin/v1/api/profile-view-template/workspace-id/${m(r)}`,st=(r,t)=>`/admin/v1/api/journey-actions/workspace-id/${m(r)}/template-id/${m(t)}`,Ue=["Value","Count","Sum","Min","Max","Average","Distinct"],He=["string","integer","double","utc_datetime"],qe=["minutes","hours","days"],re=()=>({displayName:"",event:"",metaData:"",metaDataType:"string",aggregationMode:"Count",lookBackPeriod:30,lookBackDurationType:"days",limit:1e3}),oe=()=>({type:"Connector",connector:""});function le(r){return String(r).split(/\.|\[(\d+)\]/).filter(t=>t!==void 0&&t!=="").map(t=>/^\d+$/.test(t)?Number(t):t)}function it(r,t){return le(t).reduce((e,s)=>e?.[s],r)}function St(r,t,e){let s=le(t),i=r;for(let o of s.slice(0,-1))i=i[o]??={};let a=s[s.length-1];e===void 0?delete i[a]:i[a]=e}function Fe(r,t){let e="";for(let s of t)(r===s||r.startsWith(s+".")||r.startsWith(s+"["))&&s.length>e.length&&(e=s);return e}function ne(r,t){let e={},s=[];for(let i of r.errors?.length?r.errors:[]){let a=/^([A-Za-z_][\w.[\]]*): (.*)$/s.exec(i),o=a?Fe(a[1],t):"";o?(e[o]||=[]).push(a[1]===o?a[2]:`${a[1].slice(o.length).replace(/^\./,"")}: ${a[2]}`):s.push(i)}return!s.length&&!Object.keys(e).length&&s.push(r.message),{byField:e,general:s,message:r.message}}function v(r){let t=new Date(r);return isNaN(t)?"":t.toLocaleString(void 0,{dateStyle:"medium",timeStyle:"short"})}var W=class extends _{constructor(){super(),this._token=N(C.token),this._ws=N(C.ws)||"default",this._template=N(C.template),this._view="persons",this._persons=null,this._page=0,this._pageSize=20,this._found=null,this._identity="",this._tail=[],this._tailId="",this._tailState="off",this._section=null,this._edit=null,this._saved="",this._bt=null,this._ver=null,this._ex=null,this._dfilter="",this._onHash=()=>this.route()}get api(){return new T({token:this._token})}connectedCallback(){super.connectedCallback(),window.addEventListener("hashchange",this._onHash),this.route()}disconnectedCallback(){super.disconnectedCallback(),window.removeEventListener("hashchange",this._onHash),this.stopTail()}route(){let t=(location.hash||"").replace(/^#\/?/,"");this._view=ee.some(([e])=>e===t)?t:"persons",this._token&&(this._view==="persons"&&!this._persons&&this.loadPersons(0),this._edit&&this._edit.kind!==this._view&&(this._edit=null),this._bt&&this._view!=="actions"&&this.closeBacktest(),this._ver&&this._ver.kind!==this._view&&(this._ver=null),this._ex&&this._view!=="actions"&&(this._ex=null),F[this._view]&&this.loadSection(this._view))}async signIn(t){t.preventDefault();let e=t.target,s=e.token.value.trim().replace(/^export\s+JDS_TOKEN=/,"").replace(/^['"]|['"]$/g,""),i=e.ws.value.trim()||"default";this._signing=!0,this._signError=null;try{await new T({token:s}).get(`/admin/v1/api/person/workspace-id/${m(i)}`,{page:0,pageSize:1}),this._token=N(C.token,s),this._ws=N(C.ws,i),this._persons=null,this.route()}catch(a){this._signError=g(a)}finally{this._signing=!1}}signOut(){N(C.token,null),this.stopTail(),this._token="",this._persons=null,this._found=null,this._identity=""}async loadPersons(t){this._personsError=null;try{let e=await this.api.get(`/admin/v1/api/person/workspace-id/${m(this._ws)}`,{page:t,pageSize:this._pageSize});this._persons=e?.data||[],this._page=t}catch(e){this._persons=[],this._personsError=g(e)}}async find(t){t.preventDefault();let e=t.target.q.value.trim();if(e){this._findError=null,this._found=null,this._identity=e;try{let s=await this.api.get(`/admin/v1/api/person/workspace-id/${m(this._ws)}/aliases/${m(e)}`);this._found=s?.data||[]}catch(s){this._found=[],this._findError=s.status===404?`No person owns “${e}”. Showing its journey anyway: events may arrive later.`:g(s)}}}open(t){this._identity=t.aliases&&t.aliases[0]||"",this._found=[t],this._findError=null,this.updateComplete.then(()=>this.renderRoot.querySelector("customer-journey-widget")?.scrollIntoView({block:"start"}))}setTemplate(t){this._template=N(C.template,t.target.value.trim())}startTail(t){t.preventDefault();let e=t.target.identity.value.trim();if(!e)return;this.stopTail(),this._tailId=e,this._tail=[],this._tailState="connecting";let s=this.api.stream(`/v1/api/events/stream/workspace-id/${m(this._ws)}/identity/${m(e)}`);this._es=s,s.onopen=()=>this._tailState="on",s.onerror=()=>this._tailState=s.readyState===EventSource.CLOSED?"closed":"connecting",s.addEventListener("event",i=>{try{let a=JSON.parse(i.data);this._tail=[a,...this._tail].slice(0,200)}catch{}})}stopTail(){this._es&&this._es.close(),this._es=null,this._tailState="off"}async loadSection(t){this._section={name:t,state:"loading"};try{let e=await this.api.get(F[t].path(this._ws));if(this._view!==t)return;let s=kt[t]?await this.api.get(kt[t].path).catch(()=>null):null,i=t==="actions"?await this.api.get(J(this._ws),{pageSize:1e3}).catch(()=>null):null,a=e?.data;if(t==="deliveries"&&Array.isArray(a)){let o=await this.api.get(Le(this._ws)).catch(()=>null),l=new Set(a.map(c=>c.id)),h=(o?.data||[]).filter(c=>!l.has(c.id));h.length&&(a=[...a,...h].sort((c,u)=>String(u.createdAt).localeCompare(String(c.createdAt))))}if(this._view!==t)return;this._section={name:t,state:"ok",data:a,rules:s?.data,templates:i?.data||[]}}catch(e){if(this._view!==t)return;this._section=e.status===404?{name:t,state:"missing"}:{name:t,state:"error",error:g(e)}}}edit(t,e){let s=this._section||{},i;if(e){i=JSON.parse(JSON.stringify(e));for(let o of["readOnly","backfill","source","templateName"])delete i[o]}else t==="templates"?i={name:"",attributes:[re()]}:i={name:"",isActive:!0,cooldownPeriodInMinutes:60,rules:{logic:"SINGLE",condition:""},actionTriggers:[oe()]};let a=t==="actions"&&(e?.templateId||s.templates?.find(o=>!o.readOnly)?.id||s.templates?.[0]?.id)||"";t==="actions"&&delete i.templateId,this._saved="",this._edit={kind:t,id:e?.id||"",name:e?.name||"",tid:a,obj:i,readOnly:!!e?.readOnly,source:e?.source||"",raw:{},rawErr:{},errors:{},general:[],checking:!1,checked:!1,saving:!1},this.updateComplete.then(()=>{let o=this.renderRoot.querySelector(".editor");(o?.querySelector("input:not([disabled]), select, textarea")||o)?.focus()})}closeEditor(){this._bt?.fromEditor&&this.closeBacktest(),this._edit=null}get editFields(){let t=this._edit;if(!t)return[];if(t.kind==="templates"){let s=["name","attributes"];return(t.obj.attributes||[]).forEach((i,a)=>{for(let o of["displayName","event","metaData","metaDataType","aggregationMode","lookBackPeriod","lookBackDurationType","limit","rules"])s.push(`attributes[${a}].${o}`);s.push(`attributes[${a}]`)}),s}let e=["name","isActive","cooldownPeriodInMinutes","rules","condition","actionTriggers"];return(t.obj.actionTriggers||[]).forEach((s,i)=>{for(let a of["type","webhookURL","connector","at","attributes"])e.push(`actionTriggers[${i}].${a}`);e.push(`actionTriggers[${i}]`)}),e}change(t,e){let s=this._edit;St(s.obj,t,e),this._edit={...s,checked:!1},this.scheduleCheck()}changeJson(t,e){let s=this._edit,i={...s.raw,[t]:e},a={...s.rawErr};if(delete a[t],!e.trim())St(s.obj,t,void 0);else try{St(s.obj,t,JSON.parse(e))}catch(o){a[t]=`not valid JSON: ${o.message}`}this._edit={...s,raw:i,rawErr:a,checked:!1},this.scheduleCheck()}addRow(t,e){let s=this._edit;s.obj[t]=[...s.obj[t]||[],e()],this._edit={...s},this.scheduleCheck()}removeRow(t,e){let s=this._edit;s.obj[t]=s.obj[t].filter((i,a)=>a!==e),this._edit={...s,raw:{},rawErr:{},errors:{}},this.scheduleCheck()}scheduleCheck(){this._editVer=(this._editVer||0)+1,clearTimeout(this._checkTimer),this._checkTimer=setTimeout(()=>this.check(),400)}editPath(t){let e=this._edit;return e.kind==="templates"?`${J(this._ws)}/template-id/${m(t)}`:`${st(this._ws,e.tid)}/action-id/${m(t)}`}async check(){let t=this._edit;if(!t||t.readOnly||Object.keys(t.rawErr).length||t.kind==="actions"&&!t.tid)return;let e=this._checkSeq=(this._checkSeq||0)+1,s=this._editVer;this._edit={...t,checking:!0};let i;try{await this.api.request("PUT",this.editPath(ze),{body:t.obj}),i={byField:{},general:[]}}catch(a){i=a.status===404?{byField:{},general:[]}:a.status===400?ne(a,this.editFields):{byField:{},general:[g(a)]}}e!==this._checkSeq||s!==this._editVer||this._edit?.obj!==t.obj||(this._edit={...this._edit,checking:!1,checked:!0,errors:i.byField,general:i.general})}async save(t){t.preventDefault();let e=this._edit;if(!(!e||e.readOnly||Object.keys(e.rawErr).length)){clearTimeout(this._checkTimer),this._checkSeq=(this._checkSeq||0)+1,this._edit={...e,saving:!0};try{let s=e.kind==="templates"?J(this._ws):st(this._ws,e.tid);e.id?await this.api.request("PUT",this.editPath(e.id),{body:e.obj}):await this.api.post(s,e.obj),this._saved=`Saved “${e.obj.name}”.`,this._edit=null,await this.loadSection(e.kind)}catch(s){let i=s.status===400?ne(s,this.editFields):{byField:{},general:[g(s)]};this._edit={...this._edit,saving:!1,checked:!0,errors:i.byField,general:i.general},this.updateComplete.then(()=>this.renderRoot.querySelector('.editor [aria-invalid="true"], .editor .form-errors')?.focus())}}}async remove(t,e){if(!confirm(`Delete “${e.name}”?`))return;let s=t==="templates"?`${J(this._ws)}/template-id/${m(e.id)}`:`${st(this._ws,e.templateId)}/action-id/${m(e.id)}`;try{await this.api.request("DELETE",s),this._saved=`Deleted “${e.name}”.`,this._edit=null}catch(i){this._saved="",this._section={...this._section,actionError:g(i)};return}await this.loadSection(t)}openBacktest(t){this.closeBacktest();let e=this._edit,s=!t,i=Date.now();this._bt={name:(s?e.obj.name:t.name)||"unsaved action",fromEditor:s,tid:s?e.tid:t.templateId,actionId:s?"":t.id,from:ae(i-7*864e5),to:ae(i+6e4),ids:"",running:!1,progress:null,result:null,error:""},this.updateComplete.then(()=>this.renderRoot.querySelector("#bt-from")?.focus())}closeBacktest(){this._btAbort?.abort(),this._btAbort=null,this._bt=null}async runBacktest(t){t.preventDefault();let e=t.target,s=this._bt,i=new Date(e.from.value),a=new Date(e.to.value),o=e.ids.value.split(/[\n,]+/).map(p=>p.trim()).filter(Boolean),l={...s,from:e.from.value,to:e.to.value,ids:e.ids.value,result:null,error:"",progress:null};if(isNaN(i)||isNaN(a)){this._bt={...l,error:"From and To must be times."};return}let h={templateId:s.tid,from:i.toISOString(),to:a.toISOString()};o.length&&(h.identities=o),s.fromEditor?h.action=this._edit.obj:h.actionId=s.actionId,this._btAbort?.abort();let c=this._btAbort=new AbortController;this._bt={...l,running:!0};let u=p=>{this._btAbort===c&&(this._bt={...this._bt,...p})};try{await Wt(this.api,Be(this._ws),h,(p,f)=>{p==="progress"?u({progress:f}):p==="result"?u({result:f?.data||{}}):p==="error"&&u({error:f?.message||"the backtest failed"})},{query:{stream:!0},signal:c.signal}),this._btAbort===c&&!this._bt.result&&!this._bt.error&&u({error:"The server ended the stream without a result."})}catch(p){p.name!=="AbortError"&&u({error:g(p)})}finally{u({running:!1}),this._btAbort===c&&(this._btAbort=null)}}stopBacktest(){this._btAbort?.abort(),this._btAbort=null,this._bt={...this._bt,running:!1,error:"Stopped."}}renderBacktest(){let t=this._bt;if(!t)return d;let e=t.progress,s=t.result,i=t.running?e?`Replaying… ${e.persons} person(s), ${e.events} event(s), ${e.firings} firing(s) so far`:"Replaying…":s?"Done.":"",a=l=>typeof l=="string"?l:JSON.stringify(l),o=s?[...s.firings||[]].sort((l,h)=>String(l.time).localeCompare(String(h.time))):[];return n`<section class="card-box backtest" aria-labelledby="bt-title" @keydown=${l=>l.key==="Escape"&&this.closeBacktest()}>
      <h2 id="bt-title">Backtest “${t.name}”</h2>
      <p class="muted">
        Replays ${t.fromEditor?"the definition as edited (not saved)":"the saved action"} over the events stored in the window, as live commits
        would have: what it would have fired. Nothing is sent or saved; contact policies are not applied.
      </p>
      <form class="bt-form" @submit=${this.runBacktest}>
        <div class="grid">
          <div class="field"><label for="bt-from">From</label><input id="bt-from" name="from" type="datetime-local" required .value=${t.from} /></div>
          <div class="field"><label for="bt-to">To</label><input id="bt-to" name="to" type="datetime-local" required .value=${t.to} /></div>
        </div>
        <div class="field">
          <label for="bt-ids">Identities (optional: one per line or comma-separated; none replays every person)</label>
          <textarea id="bt-ids" name="ids" rows="2" spellcheck="false" .value=${t.ids}></textarea>
        </div>
        <div class="actions-row">
          <button class="primary" type="submit" ?disabled=${t.running}>${t.running?"Running…":"Run backtest"}</button>
          ${t.running?n`<button type="button" @click=${this.stopBacktest}>Stop</button>`:d}
          <button type="button" @click=${this.closeBacktest}>Close backtest</button>
          <span class="status" role="status" aria-live="polite">${i}</span>
        </div>
      </form>
      ${t.error?n`<p class="error" role="alert">${t.error}</p>`:d}
      ${s?n`<dl class="totals" aria-label="Backtest totals">
              <div><dt>Persons</dt><dd data-total="persons">${s.persons??0}</dd></div>
              <div><dt>Events</dt><dd data-total="events">${s.events??0}</dd></div>
              <div><dt>Firings</dt><dd data-total="firings">${s.firingsTotal??o.length}${o.length<(s.firingsTotal??0)?` (the first ${o.length} listed)`:""}</dd></div>
              <div><dt>Truncated</dt><dd data-total="truncated">${s.truncated?`yes: ${s.truncatedReason||"a bound was reached"}`:"no"}</dd></div>
            </dl>
            ${s.truncated?n`<p class="note" role="note">The replay stopped early (${s.truncatedReason||"a bound was reached"}): the totals cover the persons replayed so far.</p>`:d}
            ${s.unresolved?.length?n`<p class="note" role="note">No person owns: <span class="mono">${s.unresolved.join(", ")}</span></p>`:d}
            ${o.length?n`<div class="scroll-x"><table class="list timeline" aria-label="Firings">
                  <thead><tr><th>Time</th><th>Person</th><th>Event</th><th>Values</th></tr></thead>
                  <tbody>
                    ${o.map(l=>n`<tr data-event=${l.eventId}>
                        <td class="nowrap"><time datetime=${l.time} title=${l.time}>${v(l.time)}</time></td>
                        <td class="mono">${l.personId}</td>
                        <td class="mono">${l.eventId}</td>
                        <td><ul class="values">${Object.entries(l.values||{}).map(([h,c])=>n`<li><span class="muted">${h}</span> <span class="mono">${a(c)}</span></li>`)}</ul></td>
                      </tr>`)}
                  </tbody>
                </table></div>`:n`<p class="muted">No firings in this window.</p>`}`:d}
    </section>`}defPath(t,e){return t==="templates"?`${J(this._ws)}/template-id/${m(e.id)}`:`${st(this._ws,e.templateId)}/action-id/${m(e.id)}`}async openVersions(t,e,s=""){let i={kind:t,name:e.name,path:this.defPath(t,e),list:null,diff:null,error:"",msg:s,a:0,b:0};this._ver=i;try{let o=(await this.api.get(`${i.path}/versions`))?.data||[];if(this._ver?.path!==i.path)return;let l=o.length;this._ver={...this._ver,list:o,a:l>1?o[l-2].version:o[0]?.version||0,b:o[l-1]?.version||0}}catch(a){this._ver?.path===i.path&&(this._ver={...this._ver,list:[],error:g(a)})}this.updateComplete.then(()=>this.renderRoot.querySelector(".versions h2")?.focus())}async compareVersions(t){t.preventDefault();let e=this._ver,s=Number(t.target.a.value),i=Number(t.target.b.value);this._ver={...e,a:s,b:i,diff:null,error:""};try{let a=await this.api.get(`${e.path}/versions/${s}/diff/${i}`);this._ver?.path===e.path&&(this._ver={...this._ver,diff:a?.data||{changes:[]}})}catch(a){this._ver?.path===e.path&&(this._ver={...this._ver,error:g(a)})}}async rollback(t){let e=this._ver;this._ver={...e,error:"",msg:""};try{let s=await this.api.post(`${e.path}/versions/${t}/rollback`);await this.loadSection(e.kind);let i=s?.data||{};await this.openVersions(e.kind,{...i,name:i.name||e.name},`Rolled back to version ${t}: saved as a new version.`)}catch(s){this._ver?.path===e.path&&(this._ver={...this._ver,error:g(s)})}}renderVersions(){let t=this._ver;if(!t)return d;let e=i=>i===void 0?n`<span class="muted">—</span>`:n`<code>${JSON.stringify(i)}</code>`,s=i=>(t.list||[]).map(a=>n`<option value=${a.version} ?selected=${a.version===i}>${a.version}</option>`);return n`<section class="card-box versions" aria-labelledby="ver-title" @keydown=${i=>i.key==="Escape"&&(this._ver=null)}>
      <h2 id="ver-title" tabindex="-1">Versions of “${t.name}”</h2>
      ${t.msg?n`<p class="ok" role="status">${t.msg}</p>`:d}
      ${t.error?n`<p class="error" role="alert">${t.error}</p>`:d}
      ${t.list===null?n`<p class="muted">Loading…</p>`:t.list.length?n`<table class="list" aria-label="Versions">
                <thead><tr><th>Version</th><th>Saved</th><th>By</th><th></th></tr></thead>
                <tbody>
                  ${t.list.map(i=>n`<tr data-version=${i.version}>
                      <td>${i.version}${i.current?n` <span class="tag">current</span>`:d}</td>
                      <td>${i.savedAt?n`<time datetime=${i.savedAt} title=${i.savedAt}>${v(i.savedAt)}</time>`:"—"}</td>
                      <td class="mono">${i.savedBy||""}</td>
                      <td>${i.current?d:n`<button class="small" @click=${()=>this.rollback(i.version)}>Roll back to ${i.version}</button>`}</td>
                    </tr>`)}
                </tbody>
              </table>
              <form class="actions-row" @submit=${this.compareVersions}>
                <label for="ver-a">Compare version</label><select id="ver-a" name="a">${s(t.a)}</select>
                <label for="ver-b">with</label><select id="ver-b" name="b">${s(t.b)}</select>
                <button type="submit">Show changes</button>
              </form>
              ${t.diff?t.diff.changes?.length?n`<table class="list" aria-label=${`Changes from ${t.diff.from} to ${t.diff.to}`}>
                      <thead><tr><th>Field</th><th>Version ${t.diff.from}</th><th>Version ${t.diff.to}</th></tr></thead>
                      <tbody>${t.diff.changes.map(i=>n`<tr data-path=${i.path}><td class="mono">${i.path}</td><td>${e(i.old)}</td><td>${e(i.new)}</td></tr>`)}</tbody>
                    </table>`:n`<p class="muted" role="status">No changes between ${t.diff.from} and ${t.diff.to}.</p>`:d}`:t.error?d:n`<p class="muted">No versions kept.</p>`}
      <button @click=${()=>this._ver=null}>Close versions</button>
    </section>`}openExplain(t){this._ex={name:t.name,path:this.defPath("actions",t),identity:"",data:null,error:"",loading:!1},this.updateComplete.then(()=>this.renderRoot.querySelector("#ex-id")?.focus())}async explain(t){t.preventDefault();let e=this._ex,s=t.target.identity.value.trim();if(s){this._ex={...e,identity:s,data:null,error:"",loading:!0};try{let i=await this.api.get(`${e.path}/explain`,{identity:s});this._ex?.path===e.path&&(this._ex={...this._ex,data:i?.data||{},loading:!1})}catch(i){this._ex?.path===e.path&&(this._ex={...this._ex,error:g(i),loading:!1})}}}renderExplain(){let t=this._ex;if(!t)return d;let e=t.data,s=o=>o?"yes":"no",i=o=>o==null?"—":typeof o=="string"?o:JSON.stringify(o),a=e?.cooldown;return n`<section class="card-box explain" aria-labelledby="ex-title" @keydown=${o=>o.key==="Escape"&&(this._ex=null)}>
      <h2 id="ex-title">Explain “${t.name}”</h2>
      <form class="actions-row" @submit=${this.explain}>
        <label for="ex-id">Identity</label>
        <input id="ex-id" name="identity" .value=${t.identity} placeholder="+12263762555" autocomplete="off" required />
        <button class="primary" type="submit" ?disabled=${t.loading}>Explain</button>
        <button type="button" @click=${()=>this._ex=null}>Close explain</button>
      </form>
      ${t.error?n`<p class="error" role="alert">${t.error}</p>`:d}
      ${e?n`<p class="verdict ${e.wouldFire?"ok":"bad"}" role="status">
              ${e.wouldFire?"Would fire now":"Would not fire now"} for person <span class="mono">${e.personId||"(nobody owns it yet)"}</span>
              (at <time datetime=${e.at}>${v(e.at)}</time>).
            </p>
            <dl class="totals" aria-label="Explanation">
              <div><dt>Active</dt><dd data-k="isActive">${s(e.isActive)}</dd></div>
              <div><dt>Rule and condition hold</dt><dd data-k="holds">${s(e.holds)}</dd></div>
              ${e.rule!==void 0?n`<div><dt>JDS rule</dt><dd data-k="rule">${i(e.rule)}</dd></div>`:d}
              ${a?n`<div>
                    <dt>Cooldown (${a.minutes} min)</dt>
                    <dd data-k="cooldown">${a.holds?n`running until <time datetime=${a.until}>${v(a.until)}</time>`:"not running"}${a.lastFired?n`; last fired <time datetime=${a.lastFired}>${v(a.lastFired)}</time>`:""}</dd>
                  </div>`:d}
            </dl>
            ${e.error?n`<p class="error" role="alert">${e.error}</p>`:d}
            ${e.clauses?.length?n`<table class="list" aria-label="Clauses">
                  <thead><tr><th>Clause${e.operator?n` (joined by <code>${e.operator}</code>)`:d}</th><th>Value</th></tr></thead>
                  <tbody>${e.clauses.map(o=>n`<tr><td class="mono">${o.text}</td><td>${i(o.value)}${o.error?n` <span class="bad">${o.error}</span>`:d}</td></tr>`)}</tbody>
                </table>`:d}
            ${e.attributes&&Object.keys(e.attributes).length?n`<table class="list" aria-label="Attributes">
                  <thead><tr><th>Attribute</th><th>Value now</th></tr></thead>
                  <tbody>${Object.entries(e.attributes).map(([o,l])=>n`<tr><td>${o}</td><td class="mono">${i(l)}</td></tr>`)}</tbody>
                </table>`:d}`:d}
    </section>`}render(){return this._token?n`<div class="app">
      <header class="bar">
        <span class="brand"><span class="logo" aria-hidden="true">J</span>jds <span class="sub">console</span></span>
        <span class="spacer"></span>
        <span class="ws" title="Workspace">Workspace <b>${this._ws}</b></span>
        <button class="ghost" @click=${this.signOut}>Sign out</button>
      </header>
      <nav aria-label="Sections">
        ${ee.map(([t,e])=>n`<a href=${`#/${t}`} aria-current=${this._view===t?"page":"false"}>${e}</a>`)}
      </nav>
      <main>${this.renderView()}</main>
    </div>`:this.renderSignIn()}renderSignIn(){return n`<main class="signin">
      <form class="card" @submit=${this.signIn} aria-labelledby="signin-title">
        <h1 id="signin-title"><span class="logo" aria-hidden="true">J</span> Sign in to jds</h1>
        <p class="muted">Paste a SharedAccessSignature token (jds prints an admin token when it starts; <code>jds token</code> mints others). It is kept in this browser tab only.</p>
        <label for="token">Token</label>
        <textarea id="token" name="token" rows="4" required spellcheck="false" placeholder="SharedAccessSignature so=…&amp;sn=…&amp;sig=…"></textarea>
        <label for="ws">Workspace</label>
        <input id="ws" name="ws" .value=${this._ws||"default"} autocomplete="off" />
        ${this._signError?n`<p class="error" role="alert">${this._signError}</p>`:d}
        <button class="primary" type="submit" ?disabled=${this._signing}>${this._signing?"Signing in…":"Sign in"}</button>
      </form>
    </main>`}renderView(){return this._view==="tail"?this.renderTail():F[this._view]?this.renderSection(this._view):this.renderPersons()}renderPersons(){let t=this._persons;return n`<h1>Persons</h1>
      <form class="find" role="search" @submit=${this.find}>
        <label for="q">Find by alias</label>
        <div class="row">
          <input id="q" name="q" type="search" placeholder="+12263762555, bob@example.com, customer ID…" autocomplete="off" required />
          <button class="primary" type="submit">Find</button>
        </div>
      </form>
      ${this._identity?n`<section class="journey" aria-label="Selected customer">
            ${this._findError?n`<p class="note" role="status">${this._findError}</p>`:d}
            ${(this._found||[]).map(e=>this.renderPersonCard(e))}
            <div class="tpl">
              <label for="tpl">Profile template</label>
              <input id="tpl" .value=${this._template} placeholder="name or id (optional)" @change=${this.setTemplate} />
            </div>
            <customer-journey-widget
              customer=${this._identity}
              workspace-id=${this._ws}
              .token=${this._token}
              template-id=${this._template}
              live-stream
            ></customer-journey-widget>
          </section>`:d}
      <section aria-label="All persons">
        <h2>All persons</h2>
        ${this._personsError?n`<p class="error" role="alert">${this._personsError}</p>`:d}
        ${t===null?n`<p class="muted">Loading…</p>`:t.length?n`<table class="list">
                <thead>
                  <tr><th>Name</th><th>Aliases</th><th class="wide">Updated</th></tr>
                </thead>
                <tbody>
                  ${t.map(e=>n`<tr>
                      <td><button class="link" @click=${()=>this.open(e)} aria-label=${`Open ${e.aliases?.[0]||e.id}`}>${[e.firstName,e.lastName].filter(Boolean).join(" ")||"Unnamed"}</button></td>
                      <td class="mono">${(e.aliases||[]).join(", ")}</td>
                      <td class="wide">${v(e.updatedAt)}</td>
                    </tr>`)}
                </tbody>
              </table>`:n`<p class="muted">No persons on this page.</p>`}
        <div class="pager">
          <button ?disabled=${this._page===0} @click=${()=>this.loadPersons(this._page-1)}>Previous</button>
          <span>Page ${this._page+1}</span>
          <button ?disabled=${!t||t.length<this._pageSize} @click=${()=>this.loadPersons(this._page+1)}>Next</button>
        </div>
      </section>`}renderPersonCard(t){let e=[t.firstName,t.lastName].filter(Boolean).join(" ")||"Unnamed person";return n`<div class="person">
      <div><b>${e}</b> <span class="muted mono">${t.id}</span></div>
      <div class="muted">Created ${v(t.createdAt)} · updated ${v(t.updatedAt)}${t.merges?.length?` · ${t.merges.length} merge(s)`:""}</div>
    </div>`}renderTail(){let t={off:"Stopped",connecting:"Connecting…",on:"Listening",closed:"Closed by the server"}[this._tailState];return n`<h1>Live tail</h1>
      <form class="find" @submit=${this.startTail}>
        <label for="tail-id">Identity</label>
        <div class="row">
          <input id="tail-id" name="identity" .value=${this._tailId} placeholder="+12263762555" autocomplete="off" required />
          <button class="primary" type="submit">Start</button>
          <button type="button" @click=${this.stopTail} ?disabled=${this._tailState==="off"}>Stop</button>
        </div>
      </form>
      <p class="status ${this._tailState}" role="status">${t}${this._tailId&&this._tailState!=="off"?n` · ${this._tailId}`:d}</p>
      ${this._tail.length?n`<table class="list tail" aria-label="Incoming events">
            <thead>
              <tr><th>Time</th><th>Type</th><th>Origin</th><th class="wide">Channel</th><th class="wide">Identity</th></tr>
            </thead>
            <tbody>
              ${this._tail.map(e=>n`<tr data-id=${e.id}>
                  <td>${v(e.time)}</td>
                  <td>${e.type}</td>
                  <td>${e.data?.origin??""}</td>
                  <td class="wide">${e.data?.channelType??""}</td>
                  <td class="wide mono">${e.identity}</td>
                </tr>`)}
            </tbody>
          </table>`:n`<p class="muted">Events posted for this identity appear here as they arrive.</p>`}`}renderSection(t){let e=this._section&&this._section.name===t?this._section:{state:"loading"},s;if(e.state==="loading")s=n`<p class="muted">Loading…</p>`;else if(e.state==="missing")s=n`<p class="note" role="status">Not available on this server.</p>`;else if(e.state==="error")s=n`<p class="error" role="alert">${e.error}</p>`;else if(t==="jobs")s=this.renderJobs(e.data||[]);else if(t==="deliveries"||t==="deadletters")s=this.renderDeliveries(e.data||[],t==="deadletters");else if(t==="templates"||t==="actions")s=this.renderDefinitions(t,e);else{let i=Array.isArray(e.data)?e.data:e.data?[e.data]:[];s=i.length?n`<table class="list">
            <thead>
              <tr><th>Name</th><th>Id</th><th>Source</th><th class="wide">Details</th></tr>
            </thead>
            <tbody>
              ${i.map(a=>n`<tr>
                  <td>${a.name??a.actionName??""}</td>
                  <td class="mono">${a.id??a.templateId??a.actionId??""}</td>
                  <td class="mono">${a.source??""}${a.readOnly?" (read-only)":""}</td>
                  <td class="wide"><code class="json">${JSON.stringify(a).slice(0,300)}</code></td>
                </tr>`)}
            </tbody>
          </table>`:n`<p class="muted">Nothing here yet.</p>`}return n`<h1>${F[t].title}</h1>
      <p class="muted mono">GET ${F[t].path(this._ws)}</p>
      ${e.rules?this.renderFileStatus(e.rules,kt[t].what):""} ${s}`}renderDefinitions(t,e){let s=Array.isArray(e.data)?e.data:[],i=o=>e.templates?.find(l=>l.id===o)?.name||o,a=t==="templates"?"template":"action";return n`
      ${this._saved?n`<p class="ok" role="status">${this._saved}</p>`:d}
      ${e.actionError?n`<p class="error" role="alert">${e.actionError}</p>`:d}
      ${this._edit?.kind===t?this.renderEditor(e):n`<p><button class="primary" @click=${()=>this.edit(t,null)} ?disabled=${t==="actions"&&!e.templates?.length}>New ${a}</button>
            ${t==="actions"&&!e.templates?.length?n`<span class="muted">An action belongs to a template: create one first.</span>`:d}</p>`}
      ${t==="actions"?this.renderBacktest():d} ${t==="actions"?this.renderExplain():d}
      ${this._ver?.kind===t?this.renderVersions():d}
      ${s.length?n`<div class="scroll-x"><table class="list defs" aria-label=${t==="templates"?"Profile templates":"Journey actions"}>
            <thead>
              <tr><th>Name</th>${t==="actions"?n`<th>Template</th>`:d}<th>Source</th><th class="wide">Id</th><th class="wide">Summary</th><th></th></tr>
            </thead>
            <tbody>
              ${s.map(o=>n`<tr data-id=${o.id}>
                  <td>${o.name}</td>
                  ${t==="actions"?n`<td>${o.templateName||i(o.templateId)}</td>`:d}
                  <td class="mono">${o.readOnly?n`<span class="tag">read-only</span> ${o.source}`:o.source||"api"}</td>
                  <td class="mono wide">${o.id}</td>
                  <td class="wide">${t==="templates"?`${(o.attributes||[]).length} attribute(s)${o.backfill?` · backfill ${o.backfill.state}`:""}`:`${o.isActive?"active":"inactive"} · ${(o.actionTriggers||[]).length} trigger(s)`}</td>
                  <td class="nowrap">
                    ${t==="actions"?n`<button @click=${()=>this.openBacktest(o)} aria-label=${`Backtest ${o.name}`}>Backtest</button>
                          <button @click=${()=>this.openExplain(o)} aria-label=${`Explain ${o.name}`}>Explain</button>`:d}
                    <button @click=${()=>this.openVersions(t,o)} aria-label=${`Versions of ${o.name}`}>Versions</button>
                    ${o.readOnly?n`<button @click=${()=>this.edit(t,o)} aria-label=${`View ${o.name}`}>View</button>`:n`<button @click=${()=>this.edit(t,o)} aria-label=${`Edit ${o.name}`}>Edit</button>
                          <button @click=${()=>this.remove(t,o)} aria-label=${`Delete ${o.name}`}>Delete</button>`}
                  </td>
                </tr>`)}
            </tbody>
          </table></div>`:n`<p class="muted">Nothing here yet.</p>`}`}renderEditor(t){let e=this._edit,s=e.kind==="templates"?"template":"action",i=e.readOnly?`${e.name} (from a rule file)`:e.id?`Edit ${s} “${e.name}”`:`New ${s}`;if(e.readOnly)return n`<section class="editor card-box" aria-label=${i} tabindex="-1">
        <h2>${i}</h2>
        <p class="note" role="note">Defined in <span class="mono">${e.source}</span>: read-only here. Change the file and reload the rules.</p>
        <pre class="source" aria-label="Source">${JSON.stringify(e.obj,null,2)}</pre>
        <button @click=${this.closeEditor}>Close</button>
      </section>`;let a=Object.values(e.errors).flat().length+e.general.length+Object.keys(e.rawErr).length,o=e.checking?"Checking…":e.checked?a?`${a} problem(s)`:"The server finds no problems.":"";return n`<form class="editor card-box" aria-label=${i} @submit=${this.save} @keydown=${l=>l.key==="Escape"&&this.closeEditor()} novalidate>
      <h2>${i}</h2>
      ${e.general.length?n`<div class="error form-errors" role="alert" tabindex="-1"><ul>${e.general.map(l=>n`<li>${l}</li>`)}</ul></div>`:d}
      ${e.kind==="actions"?n`<div class="field">
            <label for="f-tid">Template</label>
            <select id="f-tid" ?disabled=${!!e.id} @change=${l=>{this._edit={...e,tid:l.target.value},this.scheduleCheck()}}>
              ${(t.templates||[]).map(l=>n`<option value=${l.id} ?selected=${l.id===e.tid}>${l.name}</option>`)}
            </select>
          </div>`:d}
      ${this.input("name","Name")}
      ${e.kind==="templates"?this.renderTemplateFields():this.renderActionFields()}
      <div class="actions-row">
        <button class="primary" type="submit" ?disabled=${e.saving}>${e.saving?"Saving…":"Save"}</button>
        <button type="button" @click=${this.closeEditor}>Cancel</button>
        ${e.kind==="actions"?n`<button type="button" @click=${()=>this.openBacktest(null)} ?disabled=${!e.tid||Object.keys(e.rawErr).length>0}>Backtest</button>`:d}
        <span class="status ${a?"bad":""}" role="status" aria-live="polite">${o}</span>
      </div>
    </form>`}renderTemplateFields(){let t=this._edit.obj.attributes||[];return n`${this.fieldErrors("attributes")}
      ${t.map((e,s)=>n`<fieldset class="row-box">
          <legend>Attribute ${s+1}</legend>
          ${this.fieldErrors(`attributes[${s}]`)}
          <div class="grid">
            ${this.input(`attributes[${s}].displayName`,"Display name")} ${this.input(`attributes[${s}].event`,"Event type")}
            ${this.input(`attributes[${s}].metaData`,"Data field")} ${this.select(`attributes[${s}].metaDataType`,"Field type",He)}
            ${this.select(`attributes[${s}].aggregationMode`,"Aggregation",Ue)} ${this.input(`attributes[${s}].lookBackPeriod`,"Look back","number")}
            ${this.select(`attributes[${s}].lookBackDurationType`,"Look back unit",qe)} ${this.input(`attributes[${s}].limit`,"Limit","number")}
          </div>
          ${this.json(`attributes[${s}].rules`,"Rules (JSON, optional)")}
          <button type="button" class="small" @click=${()=>this.removeRow("attributes",s)} aria-label=${`Remove attribute ${s+1}`} ?disabled=${t.length<2}>Remove attribute</button>
        </fieldset>`)}
      <button type="button" @click=${()=>this.addRow("attributes",re)}>Add attribute</button>`}renderActionFields(){let t=this._edit.obj.actionTriggers||[];return n`<div class="grid">
        ${this.checkbox("isActive","Active")} ${this.input("cooldownPeriodInMinutes","Cooldown (minutes)","number")}
      </div>
      ${this.json("rules",'Rules (JSON: {"logic": "SINGLE", "condition": "<event>,<field>,<type>,<Mode> <OP> <value>"})')}
      ${this.input("condition","Condition (expression, optional)")}
      ${this.fieldErrors("actionTriggers")}
      ${t.map((e,s)=>n`<fieldset class="row-box">
          <legend>Trigger ${s+1}</legend>
          ${this.fieldErrors(`actionTriggers[${s}]`)}
          <div class="grid">
            ${this.select(`actionTriggers[${s}].type`,"Type",["Connector","Webhook"])}
            ${e.type==="Webhook"?this.input(`actionTriggers[${s}].webhookURL`,"Webhook URL","url"):this.input(`actionTriggers[${s}].connector`,"Connector")}
            ${this.input(`actionTriggers[${s}].at`,"At (optional, ${expression})")}
          </div>
          ${this.json(`actionTriggers[${s}].attributes`,"Attributes (JSON object, optional)")}
          <button type="button" class="small" @click=${()=>this.removeRow("actionTriggers",s)} aria-label=${`Remove trigger ${s+1}`} ?disabled=${t.length<2}>Remove trigger</button>
        </fieldset>`)}
      <button type="button" @click=${()=>this.addRow("actionTriggers",oe)}>Add trigger</button>`}fid(t){return"f-"+t.replace(/[^A-Za-z0-9]+/g,"-")}fieldErrors(t){let e=this._edit,s=[...e.errors[t]||[],...e.rawErr[t]?[e.rawErr[t]]:[]];return s.length?n`<div class="field-error" id=${this.fid(t)+"-err"} data-field=${t}>${s.map(i=>n`<div>${i}</div>`)}</div>`:d}invalid(t){let e=this._edit;return e.errors[t]?.length||e.rawErr[t]?"true":"false"}input(t,e,s="text"){let i=this.fid(t),a=it(this._edit.obj,t),o=this.invalid(t);return n`<div class="field">
      <label for=${i}>${e}</label>
      <input id=${i} type=${s} .value=${a==null?"":String(a)} aria-invalid=${o} aria-describedby=${o==="true"?i+"-err":d}
        @input=${l=>this.change(t,s==="number"?l.target.value===""?void 0:Number(l.target.value):l.target.value)} />
      ${this.fieldErrors(t)}
    </div>`}select(t,e,s){let i=this.fid(t),a=it(this._edit.obj,t)??"",o=this.invalid(t);return n`<div class="field">
      <label for=${i}>${e}</label>
      <select id=${i} aria-invalid=${o} aria-describedby=${o==="true"?i+"-err":d} @change=${l=>this.change(t,l.target.value)}>
        ${s.includes(a)?d:n`<option value=${a} selected>${a||"—"}</option>`}
        ${s.map(l=>n`<option value=${l} ?selected=${l===a}>${l}</option>`)}
      </select>
      ${this.fieldErrors(t)}
    </div>`}checkbox(t,e){let s=this.fid(t);return n`<div class="field check">
      <input id=${s} type="checkbox" .checked=${!!it(this._edit.obj,t)} @change=${i=>this.change(t,i.target.checked)} />
      <label for=${s}>${e}</label>
      ${this.fieldErrors(t)}
    </div>`}json(t,e){let s=this._edit,i=this.fid(t),a=it(s.obj,t),o=s.raw[t]??(a===void 0?"":JSON.stringify(a,null,2)),l=this.invalid(t);return n`<div class="field">
      <label for=${i}>${e}</label>
      <textarea id=${i} rows="3" spellcheck="false" .value=${o} aria-invalid=${l} aria-describedby=${l==="true"?i+"-err":d} @input=${h=>this.changeJson(t,h.target.value)}></textarea>
      ${this.fieldErrors(t)}
    </div>`}renderJobs(t){let e=s=>s?v(s):"—";return n`<div class="scroll-x"><table class="list" aria-label="Scheduled jobs">
      <thead>
        <tr><th>Job</th><th>Schedule</th><th>Last run</th><th>Took</th><th>Result</th><th>Next run</th><th></th></tr>
      </thead>
      <tbody>
        ${t.map(s=>n`<tr>
            <td class="mono nowrap">${s.name}</td>
            <td class="mono nowrap">${s.schedule}</td>
            <td>${e(s.lastStart)}</td>
            <td>${s.lastStart?`${s.lastDurationSeconds.toFixed(3)} s`:""}</td>
            <td>${s.running?"running":s.lastError?n`<span class="error">${s.lastError}</span>`:s.lastStart?"ok":""}</td>
            <td>${e(s.nextRun)}</td>
            <td><button ?disabled=${s.running} @click=${()=>this.runJob(s.name)}>Run now</button></td>
          </tr>`)}
      </tbody>
    </table></div>`}renderDeliveries(t,e){if(!t.length)return n`<p class="muted">${e?"No dead letters.":"Nothing queued yet."}</p>`;let s=c=>c&&!c.startsWith("0001-")?n`<time datetime=${c} title=${c}>${v(c)}</time>`:"—",i={};for(let c of t)i[V(c)]=(i[V(c)]||0)+1;let a=e?"":this._dfilter,o=a?t.filter(c=>V(c)===a):t,l=[...se,...Object.keys(i).filter(c=>!se.includes(c))],h=c=>{let u=c.policy;if(V(c)==="shadow")return n`<div class="hold small">Not sent: the action is in shadow mode.</div>`;if(!u)return d;let f=n`<span class="mono">${u.reason}</span>${ie[u.reason]?` (${ie[u.reason]})`:""}`;return u.outcome==="deferred"?n`<div class="hold small">Deferred by policy “${u.name}”: ${f}; was due ${u.deferredFrom?s(u.deferredFrom):"—"}, now due ${s(c.due)}.</div>`:n`<div class="hold small">${u.outcome==="suppressed"?"Suppressed":u.outcome} by policy “${u.name}”: ${f}.</div>`};return n`${e?d:n`<div class="tpl">
            <label for="d-filter">Show</label>
            <select id="d-filter" @change=${c=>this._dfilter=c.target.value}>
              <option value="" ?selected=${!a}>all states (${t.length})</option>
              ${l.map(c=>n`<option value=${c} ?selected=${a===c}>${c} (${i[c]||0})</option>`)}
            </select>
          </div>`}
      ${o.length?d:n`<p class="muted" role="status">No ${a} deliveries.</p>`}
      <div class="scroll-x"><table class="list deliveries" aria-label=${e?"Dead letters":"Deliveries"}>
      <thead>
        <tr>
          <th>State</th><th>Action</th><th>Connector</th><th>Person</th><th>Created</th><th>Due</th><th>Last attempt</th><th>Attempts</th>
          <th>${e?"Reason":"Last result"}</th>
        </tr>
      </thead>
      <tbody>
        ${o.map(c=>{let u=c.payload||{},p=u.connector||"inline webhook",f=V(c);return n`<tr data-id=${c.id} data-state=${f}>
            <td><span class="state ${f}">${f}</span>${h(c)}</td>
            <td>${u.action||u.actionId||""}</td>
            <td class="mono nowrap" title=${u.url||""}>${p}</td>
            <td><span class="mono">${u.aliases?.[0]||""}</span><div class="muted mono small" title="Person id">${c.personId}</div></td>
            <td>${s(c.createdAt)}</td>
            <td>${s(c.due)}</td>
            <td>${c.attempts?s(c.updatedAt):"—"}</td>
            <td>${c.attempts}</td>
            <td>
              ${c.lastError?n`<span class="bad">${c.lastError}</span>`:""}
              ${c.response?n`<div class="muted mono small" title="The partner's answer">${c.response}</div>`:""}
            </td>
          </tr>`})}
      </tbody>
    </table></div>`}async runJob(t){try{await this.api.post(`/admin/v1/api/jobs/${m(t)}/run`)}catch(e){if(e.status!==409){this._section={name:"jobs",state:"error",error:g(e)};return}}for(let e=0;e<10;e++){await this.loadSection("jobs");let s=(this._section?.data||[]).find(i=>i.name===t);if(this._view!=="jobs"||!s||!s.running)return;await new Promise(i=>setTimeout(i,300))}}renderFileStatus(t,e){return t.ok?n`<p class="note" role="status">
        ${e} in <span class="mono">${t.dir}</span>: ${t.files.length} loaded${t.loadedAt?n` at ${t.loadedAt}`:""}.
      </p>`:n`<div class="error" role="alert" aria-label="${e.slice(0,-1)} errors">
      <p>${e} in <span class="mono">${t.dir}</span> have errors; the previous set stays in force:</p>
      <ul>
        ${t.errors.map(s=>n`<li class="mono">${s}</li>`)}
      </ul>
    </div>`}};j(W,"properties",{_token:{state:!0},_ws:{state:!0},_view:{state:!0},_signError:{state:!0},_signing:{state:!0},_persons:{state:!0},_page:{state:!0},_personsError:{state:!0},_found:{state:!0},_findError:{state:!0},_identity:{state:!0},_template:{state:!0},_tail:{state:!0},_tailId:{state:!0},_tailState:{state:!0},_section:{state:!0},_edit:{state:!0},_saved:{state:!0},_bt:{state:!0},_ver:{state:!0},_ex:{state:!0},_dfilter:{state:!0}}),j(W,"styles",D`
    :host {
      display: block;
      min-height: 100vh;
      font-family: system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif;
      font-size: 14px;
      color: #1f2328;
      background: #f6f8fa;
    }
    * {
      box-sizing: border-box;
    }
    button,
    input,
    select,
    textarea {
      font: inherit;
      color: inherit;
    }
    :focus-visible {
      outline: 2px solid #1d6ae5;
      outline-offset: 2px;
    }
    .logo {
      display: inline-flex;
      align-items: center;
      justify-content: center;
      width: 26px;
      height: 26px;
      border-radius: 6px;
      background: #1d6ae5;
      color: #fff;
      font-weight: 700;
      margin-right: 8px;
    }
    .signin {
      display: flex;
      justify-content: center;
      padding: 10vh 16px;
    }
    .card {
      width: 100%;
      max-width: 460px;
      background: #fff;
      border: 1px solid #d8dee4;
      border-radius: 10px;
      padding: 24px;
      display: flex;
      flex-direction: column;
      gap: 8px;
      box-shadow: 0 1px 3px rgba(0, 0, 0, 0.05);
    }
    .card h1 {
      display: flex;
      align-items: center;
      margin: 0 0 4px;
      font-size: 20px;
    }
    label {
      font-weight: 600;
      font-size: 13px;
    }
    input,
    textarea {
      border: 1px solid #c9d1d9;
      border-radius: 6px;
      padding: 7px 9px;
      background: #fff;
      min-width: 0;
    }
    textarea {
      font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace;
      font-size: 12px;
      resize: vertical;
    }
    button {
      cursor: pointer;
      border: 1px solid #c9d1d9;
      background: #fff;
      border-radius: 6px;
      padding: 6px 12px;
    }
    button:disabled {
      opacity: 0.55;
      cursor: default;
    }
    button.primary {
      background: #1d6ae5;
      border-color: #1d6ae5;
      color: #fff;
      font-weight: 600;
    }
    button.ghost {
      background: transparent;
      border-color: rgba(255, 255, 255, 0.4);
      color: #fff;
    }
    button.link {
      border: none;
      background: none;
      padding: 0;
      color: #1d6ae5;
      font-weight: 600;
      text-align: left;
    }
    button.link:hover {
      text-decoration: underline;
    }
    .muted {
      color: #6e7781;
    }
    .mono,
    code {
      font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace;
      font-size: 12px;
      overflow-wrap: anywhere;
    }
    .error {
      padding: 8px 10px;
      border-radius: 6px;
      background: #fff1f0;
      border: 1px solid #ffccc7;
      color: #a8071a;
      margin: 8px 0;
    }
    .note {
      padding: 8px 10px;
      border-radius: 6px;
      background: #fff8e1;
      border: 1px solid #f3d98b;
      color: #6b4f00;
      margin: 8px 0;
    }
    .app {
      display: grid;
      grid-template-columns: 200px 1fr;
      grid-template-rows: auto 1fr;
      min-height: 100vh;
    }
    .bar {
      grid-column: 1 / -1;
      display: flex;
      align-items: center;
      gap: 12px;
      padding: 10px 16px;
      background: #0f1b2d;
      color: #fff;
    }
    .brand {
      display: flex;
      align-items: center;
      font-weight: 700;
      font-size: 16px;
    }
    .brand .sub {
      font-weight: 400;
      opacity: 0.7;
      margin-left: 4px;
    }
    .spacer {
      flex: 1;
    }
    .ws {
      font-size: 13px;
      opacity: 0.9;
    }
    nav {
      display: flex;
      flex-direction: column;
      padding: 12px 8px;
      gap: 2px;
      background: #fff;
      border-right: 1px solid #d8dee4;
    }
    nav a {
      padding: 7px 10px;
      border-radius: 6px;
      color: #424a53;
      text-decoration: none;
    }
    nav a:hover {
      background: #f0f3f6;
    }
    nav a[aria-current='page'] {
      background: #e8f0fe;
      color: #0b4fc0;
      font-weight: 600;
    }
    main {
      padding: 16px 24px 40px;
      min-width: 0;
      max-width: 1100px;
    }
    h1 {
      font-size: 20px;
      margin: 4px 0 12px;
    }
    h2 {
      font-size: 15px;
      margin: 20px 0 8px;
    }
    .find {
      display: flex;
      flex-direction: column;
      gap: 6px;
      margin-bottom: 12px;
    }
    .row {
      display: flex;
      gap: 6px;
      flex-wrap: wrap;
    }
    .row input {
      flex: 1 1 220px;
    }
    .journey {
      background: #fff;
      border: 1px solid #d8dee4;
      border-radius: 10px;
      padding: 12px;
      margin-bottom: 16px;
    }
    .person {
      margin-bottom: 8px;
    }
    .tpl {
      display: flex;
      align-items: center;
      gap: 8px;
      margin: 8px 0;
      flex-wrap: wrap;
    }
    .list {
      width: 100%;
      border-collapse: collapse;
      background: #fff;
      border: 1px solid #d8dee4;
      border-radius: 8px;
      overflow: hidden;
    }
    .list th,
    .list td {
      text-align: left;
      padding: 7px 10px;
      border-bottom: 1px solid #eaeef2;
      vertical-align: top;
    }
    .list th {
      background: #f6f8fa;
      font-size: 12px;
      color: #57606a;
      font-weight: 600;
    }
    .scroll-x {
      overflow-x: auto;
    }
    .nowrap {
      white-space: nowrap;
    }
    .small {
      font-size: 11px;
    }
    .bad {
      color: #a8071a;
    }
    .state {
      display: inline-block;
      padding: 1px 8px;
      border-radius: 10px;
      font-size: 12px;
      font-weight: 600;
      background: #eaeef2;
      color: #424a53;
    }
    .state.sent {
      background: #dafbe1;
      color: #1a7f37;
    }
    .state.pending {
      background: #fff8c5;
      color: #7d4e00;
    }
    .state.dead {
      background: #ffebe9;
      color: #a8071a;
    }
    .state.suppressed {
      background: #f3e8ff;
      color: #6e2bb0;
    }
    .state.deferred {
      background: #ddf4ff;
      color: #0550ae;
    }
    .state.shadow {
      background: #fff;
      color: #57606a;
      border: 1px dashed #8c959f;
    }
    .hold {
      margin-top: 4px;
      color: #57606a;
      max-width: 260px;
    }
    .bt-form {
      display: flex;
      flex-direction: column;
      gap: 10px;
    }
    .totals {
      display: flex;
      flex-wrap: wrap;
      gap: 8px 24px;
      margin: 0;
    }
    .totals dt {
      font-size: 12px;
      color: #57606a;
    }
    .totals dd {
      margin: 0;
      font-weight: 600;
    }
    ul.values {
      list-style: none;
      margin: 0;
      padding: 0;
    }
    .card-box {
      background: #fff;
      border: 1px solid #d8dee4;
      border-radius: 10px;
      padding: 12px 16px;
      margin: 0 0 16px;
      display: flex;
      flex-direction: column;
      gap: 10px;
    }
    .card-box h2 {
      margin: 0;
    }
    .card-box > button,
    .row-box > button {
      align-self: flex-start;
    }
    .field {
      display: flex;
      flex-direction: column;
      gap: 4px;
      min-width: 0;
    }
    .field.check {
      flex-direction: row;
      align-items: center;
      gap: 8px;
    }
    .grid {
      display: grid;
      grid-template-columns: repeat(auto-fill, minmax(200px, 1fr));
      gap: 10px;
    }
    select {
      border: 1px solid #c9d1d9;
      border-radius: 6px;
      padding: 6px 8px;
      background: #fff;
    }
    [aria-invalid='true'] {
      border-color: #cf222e;
      box-shadow: 0 0 0 1px #cf222e;
    }
    .field-error {
      color: #a8071a;
      font-size: 12px;
    }
    .row-box {
      border: 1px solid #d8dee4;
      border-radius: 8px;
      padding: 8px 12px 12px;
      display: flex;
      flex-direction: column;
      gap: 8px;
      min-width: 0;
    }
    .row-box legend {
      font-weight: 600;
      font-size: 13px;
    }
    .actions-row {
      display: flex;
      align-items: center;
      gap: 8px;
      flex-wrap: wrap;
    }
    button.small {
      align-self: flex-start;
      font-size: 12px;
      padding: 3px 8px;
    }
    .ok {
      color: #1a7f37;
    }
    .tag {
      display: inline-block;
      padding: 0 6px;
      border-radius: 4px;
      background: #eaeef2;
      color: #424a53;
      font-size: 11px;
      font-family: system-ui, sans-serif;
    }
    pre.source {
      margin: 0;
      padding: 10px;
      background: #f6f8fa;
      border: 1px solid #d8dee4;
      border-radius: 6px;
      overflow: auto;
      max-height: 420px;
      font-size: 12px;
    }
    .pager {
      display: flex;
      align-items: center;
      gap: 10px;
      margin-top: 10px;
    }
    .status {
      font-size: 13px;
      color: #57606a;
    }
    .status.on {
      color: #1a7f37;
    }
    .status.closed {
      color: #a8071a;
    }
    @media (max-width: 720px) {
      .app {
        grid-template-columns: 1fr;
        grid-template-rows: auto auto 1fr;
      }
      nav {
        flex-direction: row;
        overflow-x: auto;
        border-right: none;
        border-bottom: 1px solid #d8dee4;
      }
      nav a {
        white-space: nowrap;
      }
      main {
        padding: 12px;
      }
      .wide {
        display: none;
      }
      .ws {
        display: none;
      }
    }
  `);customElements.define("jds-console",W);export{W as JdsConsole,F as SECTIONS,V as deliveryKind,Fe as fieldOf,ne as splitErrors};
